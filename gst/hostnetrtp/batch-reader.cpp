/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the batched socket reader. See batch-reader.h. */
#include "batch-reader.h"

#include "owned.h"
#include "peer.h"

#include <gio/gio.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (gst_hostnet_rtp_src_debug);
#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace {

/* Up to this many datagrams per system call: a camera's frame at 30 fps is
 * a few dozen packets; a full batch means more is waiting. */
constexpr unsigned kBatch = 64;
/* Room for the largest UDP datagram, as udpsrc has. The slab is mapped
 * anonymous memory of its own (not the malloc heap, which would keep what it
 * once held): the kernel commits only the pages datagrams touch, one per
 * slot for camera-sized packets. */
constexpr gsize kSlot = 65536;

/* After a read that found only a few datagrams (fewer than kFew), the
 * reader lets the next batch gather this long before reading it: a smoothly
 * paced sender (one datagram every 50 us) then wakes the reader, and
 * rtpbin's jitterbuffer thread behind it, a few times per millisecond
 * instead of once per datagram, while bursts (a camera's frames) are read
 * as they come. Against rtpbin's latency (200 ms by default) a millisecond
 * is nothing. A batch is stamped when it is read, as udpsrc stamps a
 * datagram when it reads it: a datagram may be up to this much older than
 * its stamp. (The kernel's own receive times, SO_TIMESTAMPNS, were tried:
 * on loopback they are not all on one clock, and dating packets by them let
 * a spoofer's sequence pass the gate's timing rules.) */
constexpr GstClockTime kGather = GST_MSECOND;
/* A read that finds fewer than this many datagrams lets the next gather. */
constexpr unsigned kFew = 4;
/* Each datagram's control data: the socket's drop count (SO_RXQ_OVFL). */
constexpr gsize kControl = CMSG_SPACE (sizeof (guint32));

}  // namespace

struct HostnetRtpBatchReader {
  GstBaseSrc parent;
  /* Everything below is set once, before the reader is added to the bin. */
  GSocket *socket;   /* borrowed */
  GstCaps *caps;
  hostnetrtp::BatchReaderHooks *hooks;
  /* The reading thread's own. */
  GstPoll *poll;
  GstPoll *gather;  /* no descriptors: a sleep a flush interrupts */
  GstPollFD fd;
  bool more_waiting;
  bool gather_next;
  guint8 *slab;      /* kBatch slots of kSlot bytes */
  std::vector<guint8> *control;  /* kBatch blocks of kControl bytes */
  guint32 kernel_drops;          /* the socket's drop count last seen (the socket's life long) */
  std::vector<struct mmsghdr> *messages;
  std::vector<struct iovec> *vectors;
  std::vector<struct sockaddr_storage> *senders;
  /* The admitted buffers of the last batch not handed out yet, in order. */
  std::vector<GstBuffer *> *pending;
  size_t next;
};

struct HostnetRtpBatchReaderClass {
  GstBaseSrcClass parent_class;
};

G_DEFINE_TYPE (HostnetRtpBatchReader, hostnetrtp_batch_reader, GST_TYPE_BASE_SRC);

static void
hostnetrtp_batch_reader_init (HostnetRtpBatchReader *self)
{
  gst_base_src_set_live (GST_BASE_SRC (self), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_do_timestamp (GST_BASE_SRC (self), FALSE);  /* one clock read per batch */
  self->poll = gst_poll_new (TRUE);
  self->gather = gst_poll_new (TRUE);
  gst_poll_fd_init (&self->fd);
  void *slab = mmap (nullptr, kBatch * kSlot, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  self->slab = slab == MAP_FAILED ? nullptr : static_cast<guint8 *> (slab);
  self->control = new std::vector<guint8> (kBatch * kControl);
  self->kernel_drops = 0;
  self->messages = new std::vector<struct mmsghdr> (kBatch);
  self->vectors = new std::vector<struct iovec> (kBatch);
  self->senders = new std::vector<struct sockaddr_storage> (kBatch);
  self->pending = new std::vector<GstBuffer *> ();
  self->pending->reserve (kBatch);
  self->next = 0;
}

/* Drops what was read and not handed out (a stop, a flush). */
static void
drop_pending (HostnetRtpBatchReader *self) noexcept
{
  for (size_t i = self->next; i < self->pending->size (); i++)
    gst_buffer_unref ((*self->pending)[i]);
  self->pending->clear ();
  self->next = 0;
}

static void
finalize (GObject *object) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (object);
  gst_poll_free (self->poll);
  gst_poll_free (self->gather);
  if (self->caps)
    gst_caps_unref (self->caps);
  delete self->hooks;
  if (self->slab)
    munmap (self->slab, kBatch * kSlot);
  delete self->control;
  delete self->messages;
  delete self->vectors;
  delete self->senders;
  drop_pending (self);
  delete self->pending;
  G_OBJECT_CLASS (hostnetrtp_batch_reader_parent_class)->finalize (object);
}

static GstCaps *
get_caps (GstBaseSrc *src, GstCaps *filter) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (src);
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
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (src);
  if (!self->slab) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, (nullptr),
        ("could not map %" G_GSIZE_FORMAT " KiB of memory for the receive batch: raise the process's "
         "memory limit, or use receive-path=udpsrc", kBatch * kSlot / 1024));
    return FALSE;
  }
  gst_poll_fd_init (&self->fd);
  self->fd.fd = g_socket_get_fd (self->socket);
  /* Each datagram then carries the socket's count of datagrams dropped on
   * a full receive buffer: a loss nothing else would show. */
  const int on = 1;
  setsockopt (self->fd.fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof (on));
  gst_poll_add_fd (self->poll, &self->fd);
  gst_poll_fd_ctl_read (self->poll, &self->fd, TRUE);
  self->more_waiting = self->gather_next = false;
  return TRUE;
}

static gboolean
stop (GstBaseSrc *src) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (src);
  gst_poll_remove_fd (self->poll, &self->fd);
  gst_poll_fd_init (&self->fd);
  drop_pending (self);
  return TRUE;
}

static gboolean
unlock (GstBaseSrc *src) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (src);
  gst_poll_set_flushing (self->poll, TRUE);
  gst_poll_set_flushing (self->gather, TRUE);
  return TRUE;
}

static gboolean
unlock_stop (GstBaseSrc *src) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (src);
  gst_poll_set_flushing (self->poll, FALSE);
  gst_poll_set_flushing (self->gather, FALSE);
  return TRUE;
}

/* The socket's drop count, as the last of @n datagrams that carries one
 * tells it (the kernel stamps each datagram with the count when it queues
 * it, and only once there were drops): what grew since the last read goes
 * to the stream's counters. */
static void
note_kernel_drops (HostnetRtpBatchReader *self, int n) noexcept
{
  guint32 latest = self->kernel_drops;
  for (int i = 0; i < n; i++) {
    struct msghdr &h = (*self->messages)[i].msg_hdr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR (&h); c; c = CMSG_NXTHDR (&h, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
        std::memcpy (&latest, CMSG_DATA (c), sizeof (latest));
  }
  const guint32 grew = latest - self->kernel_drops;  /* modulo 2^32, as the kernel counts */
  if (grew && self->hooks->dropped_in_kernel)
    self->hooks->dropped_in_kernel (grew);
  self->kernel_drops = latest;
}

/* Waits for datagrams and reads what is waiting; the count, 0 to try
 * again, or a flow return (flushing, error) as a negative value. */
static int
read_batch (HostnetRtpBatchReader *self, GstFlowReturn &flow) noexcept
{
  if (self->gather_next) {
    /* The last read found only a few: let the next batch gather first. */
    if (gst_poll_wait (self->gather, kGather) < 0 && errno == EBUSY) {
      flow = GST_FLOW_FLUSHING;
      return -1;
    }
  } else if (!self->more_waiting) {
    const gint ready = gst_poll_wait (self->poll, GST_CLOCK_TIME_NONE);
    if (ready < 0) {
      if (errno == EBUSY) {
        flow = GST_FLOW_FLUSHING;
        return -1;
      }
      return 0;  /* EINTR, EAGAIN: again */
    }
  }
  for (unsigned i = 0; i < kBatch; i++) {
    (*self->vectors)[i] = {self->slab + i * kSlot, kSlot};
    struct msghdr &h = (*self->messages)[i].msg_hdr;
    h = {};
    h.msg_name = &(*self->senders)[i];
    h.msg_namelen = sizeof (struct sockaddr_storage);
    h.msg_iov = &(*self->vectors)[i];
    h.msg_iovlen = 1;
    h.msg_control = self->control->data () + i * kControl;
    h.msg_controllen = kControl;
  }
  const int n = recvmmsg (self->fd.fd, self->messages->data (), kBatch, MSG_DONTWAIT, nullptr);
  if (n < 0) {
    const int err = errno;
    self->more_waiting = self->gather_next = false;
    /* Nothing waiting, or an ICMP error for something this socket sent
     * (its reports): udpsrc carries on after those too. */
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNREFUSED ||
        err == EHOSTUNREACH || err == ENETUNREACH || err == ENOMEM)
      return 0;
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (nullptr),
        ("recvmmsg on the stream's socket failed: %s", std::strerror (err)));
    flow = GST_FLOW_ERROR;
    return -1;
  }
  note_kernel_drops (self, n);
  /* A full batch: more is likely waiting, read again before polling. A
   * few only: datagrams come one by one, let them gather. */
  self->more_waiting = unsigned (n) == kBatch;
  self->gather_next = n > 0 && unsigned (n) < kFew;
  return n;
}

/* One buffer per call, from the last batch while it lasts: GstBaseSrc
 * pushes them one by one (1.22's buffer-list submission is not safe against
 * a flush), and the system calls stay one poll and one recvmmsg per batch. */
static GstFlowReturn
create (GstBaseSrc *src, guint64, guint, GstBuffer **out) noexcept
{
  auto *self = reinterpret_cast<HostnetRtpBatchReader *> (src);
  const hostnetrtp::BatchReaderHooks &hooks = *self->hooks;
  while (self->next >= self->pending->size ()) {
    self->pending->clear ();
    self->next = 0;
    GstFlowReturn flow = GST_FLOW_OK;
    const int n = read_batch (self, flow);
    if (n < 0)
      return flow;
    GstClockTime arrival = GST_CLOCK_TIME_NONE;  /* one clock read per batch */
    if (GstClock *clock = n ? gst_element_get_clock (GST_ELEMENT (self)) : nullptr) {
      const GstClockTime now = gst_clock_get_time (clock);
      const GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
      arrival = now > base ? now - base : 0;
      gst_object_unref (clock);
    }
    const gint64 now_us = n ? g_get_monotonic_time () : 0;
    for (int i = 0; i < n; i++) {
      const struct mmsghdr &m = (*self->messages)[i];
      const guint8 *data = self->slab + i * kSlot;
      const hostnetrtp::Peer from = hostnetrtp::Peer::from_native (
          reinterpret_cast<const struct sockaddr *> (&(*self->senders)[i]), m.msg_hdr.msg_namelen);
      if (m.msg_hdr.msg_flags & MSG_TRUNC) {
        if (hooks.oversized)
          hooks.oversized (from);
        continue;
      }
      const hostnetrtp::Admission verdict = hooks.admit (data, m.msg_len, from, now_us);
      if (verdict == hostnetrtp::Admission::Drop)
        continue;
      GstBuffer *buffer = gst_buffer_new_allocate (nullptr, m.msg_len, nullptr);
      gst_buffer_fill (buffer, 0, data, m.msg_len);
      GST_BUFFER_PTS (buffer) = GST_BUFFER_DTS (buffer) = arrival;
      if (verdict == hostnetrtp::Admission::Divert)
        hooks.divert (buffer);
      else
        self->pending->push_back (buffer);
    }
  }
  *out = (*self->pending)[self->next++];
  return GST_FLOW_OK;
}

static void
hostnetrtp_batch_reader_class_init (HostnetRtpBatchReaderClass *klass)
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
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass), "hostnetrtp batch reader",
      "Source/Network", "Reads one stream socket with recvmmsg, through the stream's gate",
      "hostnetrtp developers");
}

namespace hostnetrtp {

GstElement *batch_reader_new (const char *name, GSocket *socket, GstCaps *caps, BatchReaderHooks hooks)
{
  auto *self = static_cast<HostnetRtpBatchReader *> (
      g_object_new (hostnetrtp_batch_reader_get_type (), "name", name, nullptr));
  self->socket = socket;
  self->caps = gst_caps_ref (caps);
  self->hooks = new BatchReaderHooks (std::move (hooks));
  return GST_ELEMENT (self);
}

}  // namespace hostnetrtp
