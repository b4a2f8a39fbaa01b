/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — what the element tells: errors and warnings, its element
 * messages, the notifications of its ports, and its statistics.
 *
 * Told at once from a state change or a property setter (the application's
 * own thread), and between jobs from the control task, so that application
 * code a message runs (a bus sync handler that stops the pipeline, say)
 * never finds the element half way through something. */
#include "element-private.h"

#include "announcement.h"

#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace hostnetrtp {

namespace {

/* Holds a message until it is posted, or dropped with a stopped task. */
using SharedMessage = std::shared_ptr<GstMessage>;

SharedMessage share (GstMessage *msg)
{
  return SharedMessage (msg, [] (GstMessage *m) noexcept {
    if (m)
      gst_message_unref (m);
  });
}

void post_shared (GstHostnetRtpSrc *self, const SharedMessage &msg)
{
  gst_element_post_message (GST_ELEMENT (self), gst_message_ref (msg.get ()));
}

}  // namespace

void tell (GstHostnetRtpSrc *self, ControlTask::Job callout)
{
  std::shared_ptr<Run> run = current_run (self);
  if (run && run->task.on_task ())
    run->task.call_out (std::move (callout));  /* skipped if the task stops first */
  else
    callout ();
}

void post_message (GstHostnetRtpSrc *self, GstMessageType type, GstResourceError code,
    const std::string &text, const char *file, const char *function, int line)
{
  gst_debug_log (GST_CAT_DEFAULT, type == GST_MESSAGE_ERROR ? GST_LEVEL_ERROR : GST_LEVEL_WARNING,
      file, function, line, G_OBJECT (self), "%s", text.c_str ());
  /* As GST_ELEMENT_ERROR words it: the debug text is where it was found. */
  GCharPtr path (gst_object_get_path_string (GST_OBJECT (self)));
  GCharPtr debug (g_strdup_printf ("%s(%d): %s (): %s", file, line, function, path.get ()));
  GErrorPtr error (g_error_new_literal (GST_RESOURCE_ERROR, code, text.c_str ()));
  GstMessage *msg = type == GST_MESSAGE_ERROR
      ? gst_message_new_error (GST_OBJECT (self), error.get (), debug.get ())
      : gst_message_new_warning (GST_OBJECT (self), error.get (), debug.get ());
  SharedMessage shared = share (msg);
  tell (self, [self, shared] { post_shared (self, shared); });
}

void post_element_message (GstHostnetRtpSrc *self, GstStructure *s)
{
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  SharedMessage shared = share (gst_message_new_element (GST_OBJECT (self), s));
  tell (self, [self, shared] { post_shared (self, shared); });
}

std::vector<std::shared_ptr<Stream>> streams_of (GstHostnetRtpSrc *self,
    std::shared_ptr<GstElement> *rtpbin)
{
  Control &control = self->priv->control;
  std::lock_guard<std::mutex> guard (control.published_lock);
  if (rtpbin)
    *rtpbin = control.published.rtpbin;
  return control.published.streams;
}

void announce (GstHostnetRtpSrc *self, const std::string &bound_address,
    const std::string &advertise_address, bool multicast, bool rtcp_mux, const GstStructure *extra)
{
  Control &control = self->priv->control;
  Announcement announcement;
  announcement.bound_address = bound_address;
  announcement.advertise_address = advertise_address;
  announcement.rtcp_mux = rtcp_mux;
  announcement.multicast = multicast;
  auto streams = streams_of (self);
  for (auto &stream : streams) {
    const StreamDescription &d = stream->description;
    const BoundStream &b = stream->path->sockets ();
    announcement.streams.push_back ({d.caps.get (), d.media, d.encoding_name, d.payload,
        d.clock_rate, b.rtp_port, b.rtcp_port});
  }
  if (announcement.streams.empty ())
    return;
  {
    std::lock_guard<std::mutex> guard (control.published_lock);
    control.published.rtp_port = announcement.streams[0].rtp_port;
    control.published.rtcp_port = announcement.streams[0].rtcp_port;
    control.published.advertise_address = advertise_address;
  }
  if (announcement.streams[0].rtp_port)
    GST_INFO_OBJECT (self, "listening on %s port %u/%u, advertising %s", bound_address.c_str (),
        announcement.streams[0].rtp_port, announcement.streams[0].rtcp_port, advertise_address.c_str ());
  else
    GST_INFO_OBJECT (self, "receiving interleaved on the RTSP connection: no UDP port");
  tell (self, [self] {
    g_object_notify (G_OBJECT (self), "rtp-port");
    g_object_notify (G_OBJECT (self), "rtcp-port");
  });
  post_element_message (self, announcement_structure (announcement, extra));
}

namespace {

/* One stream's statistics, all from the gate: packets, loss and duplicates
 * by sequence number, jitter and bitrate of the current sender, drops.
 * Nothing is asked of rtpbin: readers may come from any thread, at any
 * point of a start or a stop. */
GstStructure *stream_stats (Stream &stream)
{
  const GateCounters c = stream.path->gate ().counters ();
  const SenderState sender = stream.path->gate ().sender ();
  const BoundStream &sockets = stream.path->sockets ();
  GstStructure *s = gst_structure_new ("hostnetrtp-stream-stats",
      "index", G_TYPE_UINT, stream.index,
      "media", G_TYPE_STRING, stream.description.media.c_str (),
      "rtp-port", G_TYPE_UINT, guint (sockets.rtp_port),
      "rtcp-port", G_TYPE_UINT, guint (sockets.rtcp_port),
      "ssrc", G_TYPE_UINT, sender.present ? sender.ssrc : 0u,
      "sender", G_TYPE_STRING, sender.present ? sender.rtp_from.to_string ().c_str () : "",
      "packets-received", G_TYPE_UINT64, c.packets,
      "bytes-received", G_TYPE_UINT64, c.bytes,
      "packets-lost", G_TYPE_UINT64, c.lost,
      "duplicates", G_TYPE_UINT64, c.duplicates,
      "rtcp-packets-received", G_TYPE_UINT64, c.rtcp_packets,
      "reports-sent", G_TYPE_UINT64, stream.path->reports_sent (),
      "sender-changes", G_TYPE_UINT64, c.sender_changes,
      "dropped-not-allowed", G_TYPE_UINT64, c.dropped_not_allowed,
      "dropped-malformed", G_TYPE_UINT64, c.dropped_malformed,
      "dropped-foreign", G_TYPE_UINT64, c.dropped_foreign,
      "dropped-out-of-sequence", G_TYPE_UINT64, c.dropped_out_of_sequence,
      "dropped-kernel", G_TYPE_UINT64, c.dropped_kernel,
      nullptr);
  /* A sender silent for two seconds sends nothing now. */
  const bool sending = g_get_monotonic_time () - c.last_packet_us < 2 * G_USEC_PER_SEC;
  gst_structure_set (s, "jitter", G_TYPE_UINT, c.jitter, "bitrate", G_TYPE_UINT64,
      sending ? c.bitrate : 0, nullptr);
  return s;
}

}  // namespace

GstStructure *element_stats (GstHostnetRtpSrc *self)
{
  auto streams = streams_of (self);
  GstStructure *s = gst_structure_new ("hostnetrtp-stats",
      "n-streams", G_TYPE_UINT, guint (streams.size ()), nullptr);
  for (auto &stream : streams) {
    GstStructurePtr st (stream_stats (*stream));
    std::string field = "stream-" + std::to_string (stream->index);
    gst_structure_set (s, field.c_str (), GST_TYPE_STRUCTURE, st.get (), nullptr);
  }
  return s;
}

}  // namespace hostnetrtp

GstStructure *
gst_hostnet_rtp_src_stream_stats (GstHostnetRtpSrc *self, guint index)
{
  using namespace hostnetrtp;
  auto streams = streams_of (self);
  if (index >= streams.size ())
    return gst_structure_new ("hostnetrtp-stream-stats", "index", G_TYPE_UINT, index, nullptr);
  return stream_stats (*streams[index]);
}
