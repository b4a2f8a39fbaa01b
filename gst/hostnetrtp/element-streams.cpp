/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the element's inner pipeline around its bound sockets.
 *
 * Per stream:  reader (RTP socket) -[gate]-> rtpbin recv_rtp_sink_N
 *              reader (RTCP socket) -[gate]-> rtpbin recv_rtcp_sink_N
 *              rtpbin send_rtcp_src_N -> reports from the RTCP socket
 *              rtpbin recv_rtp_src_N_<ssrc>_<pt> (any SSRC) -> funnel -> src_N
 * (a reader is the batched reader, or udpsrc and a queue). The gate and the
 * report pad are the stream's StreamPath; this file binds, builds, links,
 * publishes and tears down. */
#include "element-private.h"

#include "batch-reader.h"
#include "interleaved-reader.h"

#include "announcement.h"
#include "gsthostnetrtpsrcpad.h"

#include <cstdio>

#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

#if !GST_CHECK_VERSION(1, 20, 0)  /* GStreamer 1.18: the name before 1.20 */
#define gst_element_request_pad_simple gst_element_get_request_pad
#endif

namespace hostnetrtp {

namespace {

/* Between socket reader and RTP stack: seconds of a 4K camera. */
constexpr guint kQueueBytes = 32 * 1024 * 1024;

/* Inner elements have fixed names (rtpbin, rtp_reader_0, ...): the same at
 * every start, so debug logs and dot files read alike. */
GstElement *make_element (const char *factory, const std::string &name, std::string &error)
{
  GstElement *element = gst_element_factory_make (factory, name.c_str ());
  if (!element)
    error = std::string ("the GStreamer element '") + factory + "' is missing: install "
        "gstreamer1.0-plugins-good (udpsrc, rtpbin) and gstreamer1.0-plugins-base (funnel, queue)";
  return element;
}

bool link_pads (GstElement *src, const char *src_pad, GstElement *sink, const char *sink_pad,
    std::string &error)
{
  if (gst_element_link_pads (src, src_pad, sink, sink_pad))
    return true;
  error = std::string ("internal error: cannot link ") + src_pad + " to " + sink_pad;
  return false;
}

/* What rtpbin's callbacks need, theirs for as long as rtpbin lives: they
 * come from its threads, before and after the streams are published. */
struct Sessions {
  GstHostnetRtpSrc *self;  /* for the log only */
  std::vector<std::shared_ptr<Stream>> streams;
  std::shared_ptr<Stream> at (guint index) const { return index < streams.size () ? streams[index] : nullptr; }
};

GstCaps *on_request_pt_map (GstElement *, guint session, guint pt, gpointer data) noexcept
{
  auto *sessions = static_cast<Sessions *> (data);
  auto stream = sessions->at (session);
  GST_DEBUG_OBJECT (sessions->self, "session %u asks for payload type %u", session, pt);
  return stream ? caps_for_payload (stream->description, pt) : nullptr;
}

/* rtpbin adds one pad per SSRC: they all feed the stream's funnel, so src_N
 * stays the same pad when a sender restarts with a new SSRC. */
void on_pad_added (GstElement *, GstPad *pad, gpointer data) noexcept
{
  auto *sessions = static_cast<Sessions *> (data);
  GCharPtr name (gst_pad_get_name (pad));
  guint session = 0, ssrc = 0, pt = 0;
  if (std::sscanf (name.get (), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
    return;
  auto stream = sessions->at (session);
  if (!stream)
    return;
  GstPad *funnel_pad = gst_element_request_pad_simple (stream->funnel.get (), "sink_%u");
  if (!funnel_pad || gst_pad_link (pad, funnel_pad) != GST_PAD_LINK_OK) {
    GST_WARNING_OBJECT (sessions->self, "stream %u: could not link %s to the stream's funnel", session,
        name.get ());
    if (funnel_pad)
      gst_object_unref (funnel_pad);
    return;
  }
  /* The funnel keeps the pad; remember it to release it with the SSRC. */
  g_object_set_data_full (G_OBJECT (pad), "hostnetrtp-funnel-pad", funnel_pad,
      [] (gpointer p) noexcept { gst_object_unref (p); });
  GST_INFO_OBJECT (sessions->self, "stream %u: SSRC %08x (payload %u) on %s", session, ssrc, pt,
      name.get ());
}

void on_pad_removed (GstElement *, GstPad *pad, gpointer) noexcept
{
  auto *funnel_pad = static_cast<GstPad *> (g_object_get_data (G_OBJECT (pad), "hostnetrtp-funnel-pad"));
  if (!funnel_pad)
    return;
  if (GstObjectPtr<GstElement> funnel {gst_pad_get_parent_element (funnel_pad)})
    gst_element_release_request_pad (funnel.get (), funnel_pad);
  g_object_set_data (G_OBJECT (pad), "hostnetrtp-funnel-pad", nullptr);
}

/* An unlinked src_N (say, the audio of a camera nobody listens to) must not
 * stop the other streams with not-linked: its buffers are dropped. */
GstPadProbeReturn drop_when_unlinked (GstPad *pad, GstPadProbeInfo *, gpointer) noexcept
{
  return gst_pad_is_linked (pad) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

GstPadProbeReturn count_dequeued (GstPad *, GstPadProbeInfo *info, gpointer stream) noexcept
{
  static_cast<Stream *> (stream)->dequeued += (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST)
      ? gst_buffer_list_length (GST_PAD_PROBE_INFO_BUFFER_LIST (info)) : 1;
  return GST_PAD_PROBE_OK;
}

/* A batched reader for one of the stream's sockets, its datagrams judged
 * by the stream's gate before they become buffers. */
GstElement *batched_reader (Stream &stream, const std::string &name, GSocket *socket, GstCaps *caps,
    bool rtcp_socket)
{
  StreamPath *path = stream.path.get ();
  BatchReaderHooks hooks;
  hooks.admit = [path, rtcp_socket] (const guint8 *data, gsize size, const Peer &from, gint64 now) {
    return path->admit_datagram (data, size, from, now, rtcp_socket);
  };
  hooks.divert = [path] (GstBuffer *buffer) { path->push_split_rtcp (buffer); };
  hooks.oversized = [path] (const Peer &from) { path->drop_oversized (from); };
  hooks.dropped_in_kernel = [path] (guint64 count) { path->drop_in_kernel (count); };
  return batch_reader_new (name.c_str (), socket, caps, std::move (hooks));
}

/* EOS into the RTP path reaches src_N through rtpbin only if some SSRC has
 * a pad there: a stream that never sent (or whose sender was removed) has
 * none. So the EOS goes into the funnel by a pad of its own as well; the
 * funnel forwards it once every pad has it. */
GstPadProbeReturn forward_eos (GstPad *, GstPadProbeInfo *info, gpointer stream) noexcept
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    push_into_funnel (*static_cast<Stream *> (stream), gst_event_new_eos ());
  return GST_PAD_PROBE_OK;
}

/* Every stream-start out of src_N (each SSRC's jitterbuffer has its own;
 * an idle stream's GAP another) becomes the stream's one stream-id, in the
 * group of all streams of this start: downstream sees one stream per pad,
 * and the pads as one group (decodebin3, streamsynchronizer). */
struct StreamStartRewrite {
  std::string stream_id;
  guint group_id;
};

GstPadProbeReturn rewrite_stream_start (GstPad *, GstPadProbeInfo *info, gpointer data) noexcept
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  if (GST_EVENT_TYPE (event) != GST_EVENT_STREAM_START)
    return GST_PAD_PROBE_OK;
  auto *rewrite = static_cast<StreamStartRewrite *> (data);
  GstStreamFlags flags = GST_STREAM_FLAG_NONE;
  gst_event_parse_stream_flags (event, &flags);
  GstEvent *ours = gst_event_new_stream_start (rewrite->stream_id.c_str ());
  gst_event_set_group_id (ours, rewrite->group_id);
  gst_event_set_stream_flags (ours, flags);
  gst_event_unref (event);
  GST_PAD_PROBE_INFO_DATA (info) = ours;
  return GST_PAD_PROBE_OK;
}

/* src_N for N streams: the pads of the last start when their number is the
 * same (what gst-launch and applications linked stays linked), else new ones. */
void ensure_pads (GstHostnetRtpSrc *self, size_t n_streams)
{
  std::vector<GstPad *> &pads = self->priv->control.pads;
  if (pads.size () == n_streams)
    return;
  for (GstPad *pad : pads) {
    gst_element_remove_pad (GST_ELEMENT (self), pad);
    gst_object_unref (pad);
  }
  pads.clear ();
  GstPadTemplate *templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self), "src_%u");
  /* Added while stopped, GstElement activates them at READY->PAUSED; added
   * to a running element (pull mode), they must be active already. */
  GST_OBJECT_LOCK (self);
  const bool running = GST_STATE (self) > GST_STATE_READY || GST_STATE_NEXT (self) == GST_STATE_PAUSED;
  GST_OBJECT_UNLOCK (self);
  for (guint i = 0; i < n_streams; i++) {
    GstPad *pad = gst_hostnet_rtp_src_pad_new (i, templ);
    pads.push_back (GST_PAD (gst_object_ref (pad)));
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, drop_when_unlinked, nullptr, nullptr);
    if (running)
      gst_pad_set_active (pad, TRUE);
    gst_element_add_pad (GST_ELEMENT (self), pad);
  }
  gst_element_no_more_pads (GST_ELEMENT (self));
}

/* The elements of one stream in @bin, linked to rtpbin and to @bin's own
 * src_N, the target of the element's src_N once attached. */
bool build_stream (GstHostnetRtpSrc *self, GstBin *bin, GstElement *rtpbin, Stream &stream,
    guint group_id, ReceivePath receive_path, std::string &error)
{
  const BoundStream &sockets = stream.path->sockets ();
  const bool interleaved = !sockets.rtp;
  const bool mux = !interleaved && !sockets.rtcp;
  /* Over TCP the task reads and judges: readers of queues, into rtpbin. */
  const bool batched = receive_path == ReceivePath::Batched || interleaved;
  const std::string n = std::to_string (stream.index);
  const std::string rtp_sink = "recv_rtp_sink_" + n, rtcp_sink = "recv_rtcp_sink_" + n;
  GstCapsPtr rtcp_caps (gst_caps_new_empty_simple ("application/x-rtcp"));
  StreamPath *path = stream.path.get ();
  auto queue_reader = [path] (const std::string &name, GstCaps *caps) {
    return interleaved_reader_new (name.c_str (), caps, [path] { path->drop_in_kernel (1); });
  };

  /* Batched: reader -> rtpbin, the kernel buffer absorbing bursts while
   * rtpbin works in the reader's thread. udpsrc: udpsrc -> queue -> rtpbin,
   * the queue draining the socket while the jitterbuffer works. */
  GstElement *rtp_reader = interleaved ? queue_reader ("rtp_reader_" + n, stream.description.caps.get ())
      : batched ? batched_reader (stream, "rtp_reader_" + n, sockets.rtp.get (), stream.description.caps.get (), false)
      : make_element ("udpsrc", "rtp_reader_" + n, error);
  GstElement *rtp_queue = batched ? nullptr : make_element ("queue", "rtp_queue_" + n, error);
  GstElement *rtcp_reader = mux ? nullptr : interleaved ? queue_reader ("rtcp_reader_" + n, rtcp_caps.get ())
      : batched ? batched_reader (stream, "rtcp_reader_" + n, sockets.rtcp.get (), rtcp_caps.get (), true)
      : make_element ("udpsrc", "rtcp_reader_" + n, error);
  if (interleaved) {
    stream.interleaved_rtp = rtp_reader;
    stream.interleaved_rtcp = rtcp_reader;
  }
  GstElement *funnel = make_element ("funnel", "funnel_" + n, error);
  if (!rtp_reader || (!batched && !rtp_queue) || (!mux && !rtcp_reader) || !funnel) {
    for (GstElement *e : {rtp_reader, rtp_queue, rtcp_reader, funnel})
      if (e)
        gst_object_unref (gst_object_ref_sink (e));
    return false;
  }
  stream.funnel.reset (GST_ELEMENT (gst_object_ref (funnel)));
  if (!batched) {
    g_object_set (rtp_reader, "socket", sockets.rtp.get (), "close-socket", FALSE,
        "auto-multicast", FALSE, "caps", stream.description.caps.get (), nullptr);
    g_object_set (rtp_queue, "max-size-buffers", 0u, "max-size-time", G_GUINT64_CONSTANT (0),
        "max-size-bytes", kQueueBytes, nullptr);
    gst_bin_add (bin, rtp_queue);
    if (rtcp_reader)
      g_object_set (rtcp_reader, "socket", sockets.rtcp.get (), "close-socket", FALSE,
          "auto-multicast", FALSE, "caps", rtcp_caps.get (), nullptr);
  }
  gst_bin_add_many (bin, rtp_reader, funnel, nullptr);
  if (rtcp_reader)
    gst_bin_add (bin, rtcp_reader);
  GstElement *into_rtpbin = batched ? rtp_reader : rtp_queue;
  if ((!batched && !link_pads (rtp_reader, "src", rtp_queue, "sink", error)) ||
      !link_pads (into_rtpbin, "src", rtpbin, rtp_sink.c_str (), error) ||
      (rtcp_reader && !link_pads (rtcp_reader, "src", rtpbin, rtcp_sink.c_str (), error)))
    return false;

  /* udpsrc's pads get the gate as probes; the batched reader runs it itself. */
  GstObjectPtr<GstPad> rtp_pad (batched ? nullptr : gst_element_get_static_pad (rtp_reader, "src"));
  GstObjectPtr<GstPad> rtcp_pad (rtcp_reader && !batched ? gst_element_get_static_pad (rtcp_reader, "src") : nullptr);
  GstObjectPtr<GstPad> session_rtcp_sink (mux ?
      gst_element_request_pad_simple (rtpbin, rtcp_sink.c_str ()) : nullptr);
  std::string report_name = "send_rtcp_src_" + n;
  GstObjectPtr<GstPad> report_src (gst_element_request_pad_simple (rtpbin, report_name.c_str ()));
  if (!report_src || (mux && !session_rtcp_sink) ||
      !stream.path->attach (rtp_pad.get (), rtcp_pad.get (), session_rtcp_sink.get (), report_src.get ())) {
    error = "internal error: cannot link the RTCP pads of stream " + n;
    return false;
  }
  GstObjectPtr<GstPad> dequeue (gst_element_get_static_pad (into_rtpbin, "src"));
  gst_pad_add_probe (dequeue.get (), GstPadProbeType (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
      count_dequeued, &stream, nullptr);
  gst_pad_add_probe (dequeue.get (), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, forward_eos, &stream, nullptr);

  GstObjectPtr<GstPad> funnel_src (gst_element_get_static_pad (funnel, "src"));
  GstPad *out = gst_ghost_pad_new (("src_" + n).c_str (), funnel_src.get ());
  GCharPtr stream_id (gst_pad_create_stream_id (out, GST_ELEMENT (self), n.c_str ()));
  stream.stream_id = stream_id.get ();
  gst_pad_add_probe (funnel_src.get (), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, rewrite_stream_start,
      new StreamStartRewrite {stream.stream_id, group_id},
      [] (gpointer data) noexcept { delete static_cast<StreamStartRewrite *> (data); });
  if (!out || !gst_element_add_pad (GST_ELEMENT (bin), out)) {
    error = "internal error: cannot give the streams' bin a pad for stream " + n;
    return false;
  }
  return true;
}

}  // namespace

static std::vector<std::string> split_list (const std::string &text)
{
  std::vector<std::string> items;
  std::string item;
  for (char c : text + ",") {
    if (c == ',' || c == ' ') {
      if (!item.empty ())
        items.push_back (item);
      item.clear ();
    } else {
      item += c;
    }
  }
  return items;
}

void warn_about_range (GstHostnetRtpSrc *self, const PortRange &range)
{
  std::string kernel_range;
  std::string overlap = unreserved_ephemeral_overlap (range, &kernel_range);
  if (!overlap.empty ())
    post_warning (self, "port-range " + range.to_string () + " overlaps the kernel's "
        "ephemeral ports " + kernel_range + " (net.ipv4.ip_local_port_range) in " + overlap +
        ", which any outgoing connection may take: set sysctl net.ipv4.ip_local_reserved_ports=" +
        range.to_string () + " or pick a range outside " + kernel_range);
}

bool allocate_pairs (GstHostnetRtpSrc *self, const Settings &s, GInetAddress *address,
    const PortRange &range, size_t n_streams, Allocation &allocation)
{
  AllocationRequest request;
  request.address = address;
  request.range = range;
  request.n_streams = unsigned (n_streams);
  request.rtcp_mux = s.rtcp_mux;
  request.start_seed = replica_start_seed ();
  request.preferred_rtp_port = self->priv->control.previous_rtp_port;
  request.receive_buffer_size = s.buffer_size;
  request.multicast_interfaces = split_list (s.multicast_iface);
  std::string error;
  if (!allocate_ports (request, allocation, error)) {
    post_error (self, GST_RESOURCE_ERROR_BUSY, error);
    return false;
  }
  GST_INFO_OBJECT (self, "bound %zu stream(s) after %u candidate(s), receive buffer %d bytes",
      allocation.streams.size (), allocation.candidates_tried, allocation.receive_buffer_granted);
  if (s.buffer_size > 0 && allocation.receive_buffer_granted < s.buffer_size)
    post_warning (self, "the kernel granted a receive buffer of " +
        std::to_string (allocation.receive_buffer_granted) + " bytes instead of buffer-size=" +
        std::to_string (s.buffer_size) + ": camera I-frame bursts may be lost. Raise it with "
        "sysctl net.core.rmem_max=" + std::to_string (s.buffer_size) +
        " (or run with CAP_NET_ADMIN)");
  return true;
}

/* Who may send to a stream and where its reports go. */
GateConfig gate_config (const Settings &s, const StreamDescription &description,
    const BoundStream &sockets, GInetAddress *group)
{
  GSocket *report_socket = sockets.rtcp ? sockets.rtcp.get () : sockets.rtp.get ();
  GateConfig config;
  if (report_socket) {  /* none with RTSP over TCP: RTP and RTCP on channels of their own */
    config.local_family = g_socket_get_family (report_socket);
    config.rtcp_mux = !sockets.rtcp;
  }
  config.takeover_after_us = gint64 (s.sender_timeout) * G_TIME_SPAN_MILLISECOND;
  config.filter = s.filter;
  config.clock_rate = description.clock_rate;
  if (group) {  /* on a group, reports go to the group */
    GCharPtr text (g_inet_address_to_string (group));
    config.fixed_report_to = Peer::from_string (text.get (), sockets.rtcp_port);
    config.multicast = true;
  }
  return config;
}

void push_into_funnel (Stream &stream, GstEvent *last)
{
  GstObjectPtr<GstPad> funnel_pad (gst_element_request_pad_simple (stream.funnel.get (), "sink_%u"));
  GstObjectPtr<GstPad> pad (GST_PAD (gst_object_ref_sink (gst_pad_new ("ours", GST_PAD_SRC))));
  /* The funnel asks every pad for its latency: this one adds none. */
  gst_pad_set_query_function (pad.get (), [] (GstPad *, GstObject *, GstQuery *query) noexcept -> gboolean {
    if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
      return FALSE;
    gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
    return TRUE;
  });
  if (!funnel_pad || gst_pad_link (pad.get (), funnel_pad.get ()) != GST_PAD_LINK_OK) {
    gst_event_unref (last);
    return;
  }
  gst_pad_set_active (pad.get (), TRUE);
  gst_pad_push_event (pad.get (), gst_event_new_stream_start (stream.stream_id.c_str ()));
  gst_pad_push_event (pad.get (), gst_event_new_caps (stream.description.caps.get ()));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (pad.get (), gst_event_new_segment (&segment));
  gst_pad_push_event (pad.get (), last);
  gst_pad_set_active (pad.get (), FALSE);
  gst_pad_unlink (pad.get (), funnel_pad.get ());
  gst_element_release_request_pad (stream.funnel.get (), funnel_pad.get ());
}

bool build_streams (GstHostnetRtpSrc *self, Run &run, std::vector<StreamPlan> plans,
    const JitterSettings &jitter, ReceivePath receive_path, Built &built, std::string &error)
{
  built = Built ();
  built.bin = share_object (GST_ELEMENT (gst_object_ref_sink (gst_bin_new ("streams"))));
  GstElement *rtpbin = make_element ("rtpbin", "rtpbin", error);
  if (!rtpbin)
    return false;
  built.rtpbin = share_object (GST_ELEMENT (gst_object_ref (rtpbin)));
  gst_bin_add (GST_BIN (built.bin.get ()), rtpbin);
  /* autoremove: an SSRC that timed out or said BYE goes with its elements. */
  g_object_set (rtpbin, "autoremove", TRUE, nullptr);

  ControlTask *task = &run.task;
  for (guint i = 0; i < plans.size (); i++) {
    auto stream = std::make_shared<Stream> ();
    stream->index = i;
    stream->description = std::move (plans[i].description);
    StreamPath::Hooks hooks;
    /* From streaming threads: handed to the task, never told from there. */
    hooks.warn = [self, task] (const std::string &text) {
      task->call_out ([self, text] { post_warning (self, text, GST_RESOURCE_ERROR_READ); });
    };
    Stream *raw = stream.get ();  /* alive until the teardown, after the task stopped */
    hooks.sender_changed = [self, task, raw] (const GateVerdict &verdict) {
      task->post ([self, raw, verdict] { control_sender_changed (self, *raw, verdict); });
    };
    hooks.report_out = std::move (plans[i].report_out);
    stream->path = std::make_unique<StreamPath> (i, std::move (plans[i].sockets),
        std::move (plans[i].gate), std::move (hooks));
    built.streams.push_back (std::move (stream));
  }
  auto connect = [&] (const char *signal, GCallback callback) {
    g_signal_connect_data (rtpbin, signal, callback, new Sessions {self, built.streams},
        [] (gpointer data, GClosure *) noexcept { delete static_cast<Sessions *> (data); },
        GConnectFlags (0));
  };
  connect ("request-pt-map", G_CALLBACK (on_request_pt_map));
  connect ("pad-added", G_CALLBACK (on_pad_added));
  g_signal_connect (rtpbin, "pad-removed", G_CALLBACK (on_pad_removed), nullptr);
  const guint group_id = gst_util_group_id_next ();
  for (auto &stream : built.streams)
    if (!build_stream (self, GST_BIN (built.bin.get ()), rtpbin, *stream, group_id, receive_path, error))
      return false;
  std::string missing;
  apply_jitter (rtpbin, jitter, guint (built.streams.size ()), missing);
  if (!missing.empty ())
    task->call_out ([self, missing] { post_warning (self, missing); });
  return true;
}

void apply_jitter (GstElement *rtpbin, const JitterSettings &jitter, guint n_sessions,
    std::string &missing)
{
  g_object_set (rtpbin, "latency", jitter.latency, "drop-on-latency", jitter.drop_on_latency,
      "do-lost", jitter.do_lost, nullptr);
  rtspsrc_apply_to_rtpbin (rtpbin, jitter.rtspsrc, n_sessions, missing);
}

/* Takes @built out of the element again, if it went in (a stop came while
 * it was being attached): its teardown, by the one who attached it. */
static void
detach_streams (GstHostnetRtpSrc *self, Built &built)
{
  Control &control = self->priv->control;
  {
    std::lock_guard<std::mutex> guard (control.published_lock);
    if (control.published.bin == built.bin)
      control.published = Published ();
  }
  gst_element_set_state (built.bin.get (), GST_STATE_NULL);
  for (auto &stream : built.streams)
    if (stream->path)
      stream->path->detach ();
  if (GST_OBJECT_PARENT (built.bin.get ()) == GST_OBJECT (self))
    gst_bin_remove (GST_BIN (self), built.bin.get ());
}

bool attach_streams (GstHostnetRtpSrc *self, Built &built, const std::function<bool ()> &stopping,
    std::string &error)
{
  Control &control = self->priv->control;
  /* Each step may run application code (element-added, pad-added, the
   * children's messages), which may stop the element: after each, a stop
   * that came meanwhile takes back what went in. */
  if (!gst_bin_add (GST_BIN (self), built.bin.get ())) {
    error = "internal error: cannot add the streams' bin";
    return false;
  }
  if (stopping ())
    return detach_streams (self, built), false;
  ensure_pads (self, built.streams.size ());
  if (stopping ())
    return detach_streams (self, built), false;
  for (auto &stream : built.streams) {
    GstPad *ghost = control.pads[stream->index];
    GstObjectPtr<GstPad> inner (gst_element_get_static_pad (built.bin.get (),
        ("src_" + std::to_string (stream->index)).c_str ()));
    if (!gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), inner.get ())) {
      error = "internal error: cannot point src_" + std::to_string (stream->index) +
          " at the stream's funnel";
      return detach_streams (self, built), false;
    }
    const BoundStream &sockets = stream->path->sockets ();
    gst_hostnet_rtp_src_pad_set_stream (GST_HOSTNET_RTP_SRC_PAD (ghost),
        stream->description.media.c_str (), stream->description.caps.get (), sockets.rtp_port,
        sockets.rtcp_port);
  }
  {
    std::lock_guard<std::mutex> guard (control.published_lock);
    control.published.bin = built.bin;
    control.published.rtpbin = built.rtpbin;
    control.published.streams = built.streams;
  }
  /* Built while the element runs (pull mode): the streams follow it. */
  gst_element_sync_state_with_parent (built.bin.get ());
  if (stopping ())
    return detach_streams (self, built), false;
  return true;
}

void teardown_streams (GstHostnetRtpSrc *self)
{
  Control &control = self->priv->control;
  /* Unpublish first: stats and callbacks see nothing from here on; the
   * streams stay alive (this copy) until their threads have stopped. */
  Published was;
  {
    std::lock_guard<std::mutex> guard (control.published_lock);
    std::swap (was, control.published);
  }
  for (GstPad *pad : control.pads) {
    gst_ghost_pad_set_target (GST_GHOST_PAD (pad), nullptr);
    gst_hostnet_rtp_src_pad_set_stream (GST_HOSTNET_RTP_SRC_PAD (pad), nullptr, nullptr, 0, 0);
  }
  if (was.bin) {
    gst_element_set_state (was.bin.get (), GST_STATE_NULL);
    /* The funnels are flushing: a GAP that waited in a sink has returned. */
    for (auto &stream : was.streams)
      if (stream->gap_pusher.joinable ())
        stream->gap_pusher.join ();
    for (auto &stream : was.streams)
      if (stream->path)
        stream->path->detach ();
    if (GST_OBJECT_PARENT (was.bin.get ()) == GST_OBJECT (self))
      gst_bin_remove (GST_BIN (self), was.bin.get ());
  }
  const bool had_ports = was.rtp_port != 0;
  was = Published ();  /* the elements are gone: this closes the sockets */
  if (had_ports) {
    g_object_notify (G_OBJECT (self), "rtp-port");
    g_object_notify (G_OBJECT (self), "rtcp-port");
  }
}

}  // namespace hostnetrtp
