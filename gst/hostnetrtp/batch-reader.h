/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the batched socket reader: one stream socket's datagrams,
 * read with recvmmsg as many as are waiting (up to 64; after a read that
 * found only a few, a millisecond lets the next batch gather), timestamped
 * with one clock read per batch, judged by the stream's gate on the bytes the
 * kernel wrote (a dropped datagram never becomes a buffer), and pushed to
 * rtpbin from the reader's thread. It replaces udpsrc and the queue behind
 * it: the kernel's receive buffer (buffer-size) holds what arrives while
 * rtpbin works in this thread, so there is one handoff less per packet, and
 * a smoothly paced sender wakes the reader and the jitterbuffer once per
 * batch rather than once per packet.
 *
 * A live GstBaseSrc of the element's own (no factory): it is made by the
 * element for a bound socket and never closes it. */
#pragma once

#include <gio/gio.h>
#include <gst/base/gstbasesrc.h>

#include <functional>

namespace hostnetrtp {

class Peer;

/* What the gate says about one datagram. */
enum class Admission {
  Drop,    /* not passed on */
  Pass,    /* into this reader's list */
  Divert,  /* passed on elsewhere (rtcp-mux: RTCP off the RTP socket) */
};

struct BatchReaderHooks {
  /* From the reader's thread, for every datagram, before a buffer exists. */
  std::function<Admission (const guint8 *data, gsize size, const Peer &from, gint64 now_us)> admit;
  /* A datagram admitted as Divert, as a timestamped buffer (owned). */
  std::function<void (GstBuffer *buffer)> divert;
  /* A datagram larger than the reader's slot (cut by the kernel): dropped. */
  std::function<void (const Peer &from)> oversized;
  /* @count more datagrams the kernel dropped, the socket's buffer full (SO_RXQ_OVFL). */
  std::function<void (guint64 count)> dropped_in_kernel;
};

/* A reader named @name for @socket (borrowed: the element keeps it open
 * for longer than the reader) producing @caps. */
GstElement *batch_reader_new (const char *name, GSocket *socket, GstCaps *caps,
    BatchReaderHooks hooks);

}  // namespace hostnetrtp
