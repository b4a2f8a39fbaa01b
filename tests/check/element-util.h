/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp tests — helpers for the element suites: pipelines, bus waits
 * and a real RTP/RTCP sender on loopback. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>

#include "owned.h"
#include "test-util.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace testutil {

using hostnetrtp::GObjectPtr;
using hostnetrtp::GstObjectPtr;
using hostnetrtp::GstMessagePtr;
using hostnetrtp::GCharPtr;
using hostnetrtp::GstStructurePtr;

inline GstElement *launch (const std::string &description)
{
  GError *err = nullptr;
  GstElement *pipeline = gst_parse_launch (description.c_str (), &err);
  fail_unless (pipeline != nullptr, "%s: %s", description.c_str (), err ? err->message : "");
  return pipeline;
}

inline GstElement *child (GstElement *pipeline, const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  fail_unless (e != nullptr, "no element %s", name);
  gst_object_unref (e);  /* the pipeline keeps it alive */
  return e;
}

/* The next message of @types on the pipeline's bus, waiting up to 10 s. */
inline GstMessagePtr next_message (GstElement *pipeline, GstMessageType types)
{
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  return GstMessagePtr (gst_bus_timed_pop_filtered (bus.get (), 10 * GST_SECOND, types));
}

/* The text of the first error on the bus ("" if none); its debug string
 * (where it was posted from) into @debug if given. */
inline std::string error_text (GstElement *pipeline, std::string *debug = nullptr)
{
  GstMessagePtr msg = next_message (pipeline, GST_MESSAGE_ERROR);
  if (!msg)
    return "";
  GError *err = nullptr;
  gchar *dbg = nullptr;
  gst_message_parse_error (msg.get (), &err, &dbg);
  std::string text = err->message;
  if (debug)
    *debug = dbg ? dbg : "";
  g_error_free (err);
  g_free (dbg);
  return text;
}

/* The text of the next warning on the bus whose text holds @needle ("" if
 * none within @timeout). */
inline std::string warning_with (GstElement *pipeline, const std::string &needle,
    GstClockTime timeout = 10 * GST_SECOND)
{
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  while (GstMessage *msg = gst_bus_timed_pop_filtered (bus.get (), timeout, GST_MESSAGE_WARNING)) {
    GError *err = nullptr;
    gst_message_parse_warning (msg, &err, nullptr);
    std::string text = err->message;
    g_error_free (err);
    gst_message_unref (msg);
    if (text.find (needle) != std::string::npos)
      return text;
  }
  return "";
}

/* The allocation announcement posted at READY. */
inline GstMessagePtr allocation_message (GstElement *pipeline)
{
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  while (GstMessage *msg = gst_bus_timed_pop_filtered (bus.get (), 10 * GST_SECOND, GST_MESSAGE_ELEMENT)) {
    if (gst_message_has_name (msg, "hostnetrtp-allocation"))
      return GstMessagePtr (msg);
    gst_message_unref (msg);
  }
  return {};
}

inline guint uint_property (GstElement *e, const char *name)
{
  guint v = 0;
  g_object_get (e, name, &v, nullptr);
  return v;
}

/* Counts @object's emissions of @signal, from any thread (handlers that take
 * the object first and ignore the rest). The count is shared with the handler
 * on the heap: disconnecting does not wait for an emission already running in
 * another thread, so the handler may outlive the counter by a moment. */
class SignalCounter {
 public:
  SignalCounter (GObject *object, const char *signal) : object_ (object)
  {
    id_ = g_signal_connect_data (object, signal, G_CALLBACK (on_signal), new std::shared_ptr<Shared> (shared_),
        [] (gpointer data, GClosure *) noexcept { delete static_cast<std::shared_ptr<Shared> *> (data); },
        G_CONNECT_SWAPPED);
  }
  ~SignalCounter () { g_signal_handler_disconnect (object_, id_); }
  SignalCounter (const SignalCounter &) = delete;
  SignalCounter &operator= (const SignalCounter &) = delete;

  guint count () const
  {
    std::lock_guard<std::mutex> guard (shared_->lock);
    return shared_->count;
  }
  /* Waits for an emission after the count read @seen; false at @deadline. */
  bool wait_past (guint seen, std::chrono::steady_clock::time_point deadline) const
  {
    std::unique_lock<std::mutex> guard (shared_->lock);
    return shared_->changed.wait_until (guard, deadline, [&] { return shared_->count != seen; });
  }

 private:
  struct Shared {
    std::mutex lock;
    std::condition_variable changed;
    guint count = 0;
  };
  static void on_signal (std::shared_ptr<Shared> *shared) noexcept
  {
    std::lock_guard<std::mutex> guard ((*shared)->lock);
    (*shared)->count++;
    (*shared)->changed.notify_all ();
  }
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared> ();
  GObject *object_;
  gulong id_ = 0;
};

/* Waits up to 10 s for @done () to hold, checking it each time @object
 * emits @signal. */
template <typename Done>
bool wait_until_signalled (GObject *object, const char *signal, Done done)
{
  SignalCounter emitted (object, signal);
  const auto deadline = std::chrono::steady_clock::now () + std::chrono::seconds (10);
  for (;;) {
    const guint seen = emitted.count ();  /* before done (): no emission is missed */
    if (done ())
      return true;
    if (!emitted.wait_past (seen, deadline))
      return done ();
  }
}

/* Waits up to 10 s for @element's uint property @name to read @value
 * (notified): live settings reach the children through the element's
 * control task, a moment after they are set. */
inline bool wait_for_uint (GstElement *element, const char *name, guint value)
{
  const std::string signal = std::string ("notify::") + name;
  return wait_until_signalled (G_OBJECT (element), signal.c_str (),
      [element, name, value] { return uint_property (element, name) == value; });
}

/* A camera stand-in: one socket for RTP, one for RTCP, bound to @local
 * (127.0.0.1 or ::1), sending to @to (the same family's loopback unless
 * given: an IPv4 sender reaches a dual-stack socket on 127.0.0.1). */
struct Sender {
  GObjectPtr<GSocket> rtp, rtcp;
  std::string to;
  guint16 seq = 1000;
  guint32 timestamp = 3000;

  explicit Sender (const char *local = "127.0.0.1", const char *to_host = nullptr)
      : to (to_host ? to_host : local)
  {
    rtp = open (local);
    rtcp = open (local);
  }

  static GObjectPtr<GSocket> open (const char *local)
  {
    GObjectPtr<GInetAddress> address (g_inet_address_new_from_string (local));
    GObjectPtr<GSocket> s (g_socket_new (g_inet_address_get_family (address.get ()),
        G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, nullptr));
    GObjectPtr<GSocketAddress> where (g_inet_socket_address_new (address.get (), 0));
    fail_unless (g_socket_bind (s.get (), where.get (), FALSE, nullptr));
    return s;
  }

  static guint local_port (GSocket *socket)
  {
    GObjectPtr<GSocketAddress> a (g_socket_get_local_address (socket, nullptr));
    return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (a.get ()));
  }

  void send_bytes (GSocket *socket, guint port, const guint8 *data, gsize size)
  {
    GObjectPtr<GInetAddress> host (g_inet_address_new_from_string (to.c_str ()));
    GObjectPtr<GSocketAddress> where (g_inet_socket_address_new (host.get (), port));
    GError *err = nullptr;
    gssize sent = g_socket_send_to (socket, where.get (), (const gchar *) data, size, nullptr, &err);
    fail_unless (sent == (gssize) size, "send: %s", err ? err->message : "short");
  }

  void send (GSocket *socket, guint port, GstBuffer *buffer)
  {
    GstMapInfo map;
    gst_buffer_map (buffer, &map, GST_MAP_READ);
    send_bytes (socket, port, map.data, map.size);
    gst_buffer_unmap (buffer, &map);
    gst_buffer_unref (buffer);
  }

  static GstBuffer *rtp_packet (guint32 ssrc, guint16 seq, guint32 ts, guint8 pt, guint payload = 200)
  {
    GstBuffer *buf = gst_rtp_buffer_new_allocate (payload, 0, 0);
    GstRTPBuffer rtpbuf = GST_RTP_BUFFER_INIT;
    gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtpbuf);
    gst_rtp_buffer_set_ssrc (&rtpbuf, ssrc);
    gst_rtp_buffer_set_seq (&rtpbuf, seq);
    gst_rtp_buffer_set_timestamp (&rtpbuf, ts);
    gst_rtp_buffer_set_payload_type (&rtpbuf, pt);
    gst_rtp_buffer_set_marker (&rtpbuf, TRUE);
    memset (gst_rtp_buffer_get_payload (&rtpbuf), 0x42, payload);
    gst_rtp_buffer_unmap (&rtpbuf);
    return buf;
  }

  void send_rtp (guint port, guint32 ssrc, guint count = 5, guint8 pt = 96, GSocket *via = nullptr)
  {
    for (guint i = 0; i < count; i++) {
      timestamp += 3000;
      send (via ? via : rtp.get (), port, rtp_packet (ssrc, seq++, timestamp, pt));
    }
  }

  static GstBuffer *rtcp_packet (guint32 ssrc, bool bye)
  {
    GstBuffer *buf = gst_rtcp_buffer_new (1400);
    GstRTCPBuffer rtcp_buf = GST_RTCP_BUFFER_INIT;
    gst_rtcp_buffer_map (buf, GST_MAP_READWRITE, &rtcp_buf);
    GstRTCPPacket packet;
    gst_rtcp_buffer_add_packet (&rtcp_buf, GST_RTCP_TYPE_SR, &packet);
    gst_rtcp_packet_sr_set_sender_info (&packet, ssrc, 0, 0, 5, 1000);
    gst_rtcp_buffer_add_packet (&rtcp_buf, GST_RTCP_TYPE_SDES, &packet);
    gst_rtcp_packet_sdes_add_item (&packet, ssrc);
    gst_rtcp_packet_sdes_add_entry (&packet, GST_RTCP_SDES_CNAME, 8, (const guint8 *) "camera@1");
    if (bye) {
      gst_rtcp_buffer_add_packet (&rtcp_buf, GST_RTCP_TYPE_BYE, &packet);
      gst_rtcp_packet_bye_add_ssrc (&packet, ssrc);
    }
    gst_rtcp_buffer_unmap (&rtcp_buf);
    return buf;
  }

  void send_sender_report (guint port, guint32 ssrc, GSocket *via = nullptr)
  {
    send (via ? via : rtcp.get (), port, rtcp_packet (ssrc, false));
  }

  void send_bye (guint port, guint32 ssrc, GSocket *via = nullptr)
  {
    send (via ? via : rtcp.get (), port, rtcp_packet (ssrc, true));
  }
};

/* The SSRC of an RTP buffer. */
inline guint32 ssrc_of (GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless (gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp));
  guint32 ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  return ssrc;
}

/* Pulls samples from @sink (up to 10 s) until one carries @ssrc. */
inline bool received_ssrc (GstElement *sink, guint32 ssrc)
{
  while (GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND)) {
    bool match = ssrc_of (gst_sample_get_buffer (sample)) == ssrc;
    gst_sample_unref (sample);
    if (match)
      return true;
  }
  return false;
}

/* The usual receiver under test: one H264 stream into an appsink. */
inline std::string receiver (const std::string &range, const std::string &extra = "")
{
  return "hostnetrtpsrc name=src port-range=" + range + " encoding-name=H264 latency=0 " + extra +
      " ! appsink name=sink sync=false";
}

inline const char *kVideoAudio =
    "caps=\"application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;"
    "application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU\"";

/* The rtpbin inside the element named "src". */
inline GstElement *inner_rtpbin (GstElement *pipeline)
{
  GstElement *src = child (pipeline, "src");
  GstElement *found = nullptr;
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (src));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&item));
    GstElementFactory *f = gst_element_get_factory (e);
    if (f && g_str_equal (GST_OBJECT_NAME (f), "rtpbin"))
      found = e;
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  fail_unless (found != nullptr, "no rtpbin inside src");
  return found;  /* the element keeps it alive */
}

/* How many elements made by @factory are inside @bin, at any depth. */
inline int count_elements (GstElement *bin, const char *factory)
{
  int n = 0;
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory (GST_ELEMENT (g_value_get_object (&item)));
    n += f && g_str_equal (GST_OBJECT_NAME (f), factory);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return n;
}

/* rtpbin's first report comes after its minimum interval; make it short. */
inline void quicken_rtcp (GstElement *pipeline, guint session_id = 0)
{
  GObject *session = nullptr;
  g_signal_emit_by_name (inner_rtpbin (pipeline), "get-internal-session", session_id, &session);
  fail_unless (session != nullptr);
  g_object_set (session, "rtcp-min-interval", (guint64) (100 * GST_MSECOND), nullptr);
  g_object_unref (session);
}

/* rtpsession's statistics of source @ssrc in session @id (null if unknown). */
inline GstStructure *session_source_stats (GstElement *pipeline, guint id, guint32 ssrc)
{
  GObject *session = nullptr, *source = nullptr;
  g_signal_emit_by_name (inner_rtpbin (pipeline), "get-internal-session", id, &session);
  if (!session)
    return nullptr;
  g_signal_emit_by_name (session, "get-source-by-ssrc", ssrc, &source);
  g_object_unref (session);
  if (!source)
    return nullptr;
  GstStructure *stats = nullptr;
  g_object_get (source, "stats", &stats, nullptr);
  g_object_unref (source);
  return stats;
}

/* Waits for an RTCP receiver report on @socket; returns the port it came
 * from (0 if none in 10 s). */
inline guint wait_for_receiver_report (GSocket *socket)
{
  for (int tries = 0; tries < 50; tries++) {
    if (!g_socket_condition_timed_wait (socket, G_IO_IN, 10 * G_USEC_PER_SEC, nullptr, nullptr))
      return 0;
    guint8 data[1500];
    GSocketAddress *from = nullptr;
    gssize n = g_socket_receive_from (socket, &from, (gchar *) data, sizeof (data), nullptr, nullptr);
    guint port = from ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)) : 0;
    g_clear_object (&from);
    if (n >= 8 && data[1] == GST_RTCP_TYPE_RR)
      return port;
  }
  return 0;
}

/* The next element message named @name within @timeout (null if none);
 * other messages are dropped. */
inline GstMessagePtr element_message (GstElement *pipeline, const char *name,
    GstClockTime timeout = 10 * GST_SECOND)
{
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  const gint64 end = g_get_monotonic_time () + gint64 (timeout / GST_USECOND);
  for (gint64 now = g_get_monotonic_time (); now < end; now = g_get_monotonic_time ()) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus.get (), (end - now) * GST_USECOND,
        GST_MESSAGE_ELEMENT);
    if (!msg)
      break;
    if (gst_message_has_name (msg, name))
      return GstMessagePtr (msg);
    gst_message_unref (msg);
  }
  return {};
}

/* A uint property of pad @pad_name of the element named "src". */
inline guint pad_uint (GstElement *pipeline, const char *pad_name, const char *property)
{
  GstObjectPtr<GstPad> pad (gst_element_get_static_pad (child (pipeline, "src"), pad_name));
  fail_unless (pad != nullptr, "no pad %s", pad_name);
  guint v = 0;
  g_object_get (pad.get (), property, &v, nullptr);
  return v;
}

/* Stream @index's structure from the element's stats property. */
inline hostnetrtp::GstStructurePtr stream_stats (GstElement *pipeline, guint index)
{
  GstStructure *all = nullptr;
  g_object_get (child (pipeline, "src"), "stats", &all, nullptr);
  fail_unless (all != nullptr);
  std::string field = "stream-" + std::to_string (index);
  const GValue *v = gst_structure_get_value (all, field.c_str ());
  fail_unless (v != nullptr, "no %s in stats", field.c_str ());
  GstStructure *copy = gst_structure_copy (gst_value_get_structure (v));
  gst_structure_free (all);
  return hostnetrtp::GstStructurePtr (copy);
}

inline guint64 stat_u64 (const GstStructure *s, const char *field)
{
  guint64 v = 0;
  fail_unless (gst_structure_get_uint64 (s, field, &v), "no %s", field);
  return v;
}

}  // namespace testutil
