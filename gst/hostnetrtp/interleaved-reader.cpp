/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the interleaved reader. See interleaved-reader.h. */
#include "interleaved-reader.h"

#include <condition_variable>
#include <deque>
#include <mutex>

GST_DEBUG_CATEGORY_EXTERN (gst_hostnet_rtp_src_debug);
#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace {

/* What the pushing thread and the reader's thread share. */
struct Queue {
  /* Guards everything here; a leaf. */
  std::mutex lock;
  std::condition_variable filled;
  std::deque<GstBuffer *> buffers;
  gsize bytes = 0;
  bool running = false;   /* started and not stopped: pushes are taken */
  bool flushing = false;  /* unlock (): create () returns at once */

  void clear ()
  {
    for (GstBuffer *b : buffers)
      gst_buffer_unref (b);
    buffers.clear ();
    bytes = 0;
  }
};

}  // namespace

struct HostnetRtpInterleavedReader {
  GstBaseSrc parent;
  GstCaps *caps;
  Queue *queue;
  std::function<void ()> *overflowed;
};

struct HostnetRtpInterleavedReaderClass {
  GstBaseSrcClass parent_class;
};

G_DEFINE_TYPE (HostnetRtpInterleavedReader, hostnetrtp_interleaved_reader, GST_TYPE_BASE_SRC);

static void
hostnetrtp_interleaved_reader_init (HostnetRtpInterleavedReader *self)
{
  gst_base_src_set_live (GST_BASE_SRC (self), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_do_timestamp (GST_BASE_SRC (self), FALSE);  /* one clock read per batch */
  self->queue = new Queue ();
  self->caps = nullptr;
  self->overflowed = nullptr;
}

static void
finalize (GObject *object) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpInterleavedReader *> (object);
  self->queue->clear ();
  delete self->queue;
  delete self->overflowed;
  if (self->caps)
    gst_caps_unref (self->caps);
  G_OBJECT_CLASS (hostnetrtp_interleaved_reader_parent_class)->finalize (object);
}

static GstCaps *
get_caps (GstBaseSrc *src, GstCaps *filter) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpInterleavedReader *> (src);
  GstCaps *caps = gst_caps_ref (self->caps);
  if (filter) {
    GstCaps *both = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = both;
  }
  return caps;
}

static gboolean
start (GstBaseSrc *src) noexcept
{
  Queue &q = *reinterpret_cast<HostnetRtpInterleavedReader *> (src)->queue;
  std::lock_guard<std::mutex> guard (q.lock);
  q.running = true;
  return TRUE;
}

static gboolean
stop (GstBaseSrc *src) noexcept
{
  Queue &q = *reinterpret_cast<HostnetRtpInterleavedReader *> (src)->queue;
  std::deque<GstBuffer *> dropped;
  {
    std::lock_guard<std::mutex> guard (q.lock);
    q.running = false;
    dropped.swap (q.buffers);
    q.bytes = 0;
  }
  for (GstBuffer *b : dropped)
    gst_buffer_unref (b);
  return TRUE;
}

static gboolean
unlock (GstBaseSrc *src) noexcept
{
  Queue &q = *reinterpret_cast<HostnetRtpInterleavedReader *> (src)->queue;
  std::lock_guard<std::mutex> guard (q.lock);
  q.flushing = true;
  q.filled.notify_all ();
  return TRUE;
}

static gboolean
unlock_stop (GstBaseSrc *src) noexcept
{
  Queue &q = *reinterpret_cast<HostnetRtpInterleavedReader *> (src)->queue;
  std::lock_guard<std::mutex> guard (q.lock);
  q.flushing = false;
  return TRUE;
}

static GstFlowReturn
create (GstBaseSrc *src, guint64, guint, GstBuffer **out) noexcept
{
  Queue &q = *reinterpret_cast<HostnetRtpInterleavedReader *> (src)->queue;
  GstBuffer *buffer;
  {
    std::unique_lock<std::mutex> guard (q.lock);
    q.filled.wait (guard, [&q] { return q.flushing || !q.buffers.empty (); });
    if (q.flushing)
      return GST_FLOW_FLUSHING;
    buffer = q.buffers.front ();
    q.buffers.pop_front ();
    q.bytes -= gst_buffer_get_size (buffer);
  }
  /* Stamped as it leaves, as a socket reader stamps what it reads. */
  if (GstClock *clock = gst_element_get_clock (GST_ELEMENT (src))) {
    const GstClockTime now = gst_clock_get_time (clock);
    const GstClockTime base = gst_element_get_base_time (GST_ELEMENT (src));
    GST_BUFFER_PTS (buffer) = GST_BUFFER_DTS (buffer) = now > base ? now - base : 0;
    gst_object_unref (clock);
  }
  *out = buffer;
  return GST_FLOW_OK;
}

static void
hostnetrtp_interleaved_reader_class_init (HostnetRtpInterleavedReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = finalize;
  GstBaseSrcClass *base = GST_BASE_SRC_CLASS (klass);
  base->get_caps = get_caps;
  base->start = start;
  base->stop = stop;
  base->unlock = unlock;
  base->unlock_stop = unlock_stop;
  base->create = create;
  static GstStaticPadTemplate src = GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
      GST_STATIC_CAPS_ANY);
  gst_element_class_add_static_pad_template (GST_ELEMENT_CLASS (klass), &src);
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass), "hostnetrtp interleaved reader",
      "Source/Network", "Pushes one stream's RTP or RTCP that came interleaved on the RTSP connection",
      "hostnetrtp developers");
}

namespace hostnetrtp {

GstElement *interleaved_reader_new (const char *name, GstCaps *caps, std::function<void ()> overflowed)
{
  auto *self = static_cast<HostnetRtpInterleavedReader *> (
      g_object_new (hostnetrtp_interleaved_reader_get_type (), "name", name, nullptr));
  self->caps = gst_caps_ref (caps);
  self->overflowed = new std::function<void ()> (std::move (overflowed));
  return GST_ELEMENT (self);
}

bool interleaved_reader_push (GstElement *reader, const guint8 *data, gsize size)
{
  auto *self = reinterpret_cast<HostnetRtpInterleavedReader *> (reader);
  Queue &q = *self->queue;
  GstBuffer *buffer = gst_buffer_new_allocate (nullptr, size, nullptr);
  gst_buffer_fill (buffer, 0, data, size);
  {
    std::lock_guard<std::mutex> guard (q.lock);
    if (q.running && q.bytes + size <= kInterleavedQueueBytes) {
      q.buffers.push_back (buffer);
      q.bytes += size;
      q.filled.notify_one ();
      return true;
    }
  }
  gst_buffer_unref (buffer);
  if (*self->overflowed)
    (*self->overflowed) ();
  return false;
}

}  // namespace hostnetrtp
