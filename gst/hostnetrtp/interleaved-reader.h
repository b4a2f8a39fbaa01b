/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the interleaved reader: one stream's RTP (or RTCP) when it
 * comes interleaved on the RTSP connection (RTSP over TCP) rather than on a
 * socket of its own.
 *
 * The control task reads the connection; what passed the stream's gate is
 * handed to this reader (interleaved_reader_push), which pushes it to rtpbin
 * from a streaming thread of its own, stamped when it leaves, as the socket
 * readers do: the task never pushes downstream. The queue between them is
 * bounded (as a socket's receive buffer is): past it, a datagram is dropped
 * and counted, never held.
 *
 * A live GstBaseSrc of the element's own (no factory). */
#pragma once

#include <gst/base/gstbasesrc.h>

#include <functional>

namespace hostnetrtp {

/* A reader named @name producing @caps; @overflowed (from the pushing
 * thread) is told of each datagram dropped because the queue was full. */
GstElement *interleaved_reader_new (const char *name, GstCaps *caps,
    std::function<void ()> overflowed);

/* Queues @data (copied) for @reader to push; false (and @overflowed told)
 * if the queue is full, or the reader is not running. Any thread. */
bool interleaved_reader_push (GstElement *reader, const guint8 *data, gsize size);

/* How many bytes the queue holds at most. */
constexpr gsize kInterleavedQueueBytes = 4 * 1024 * 1024;

}  // namespace hostnetrtp
