/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the element's control task at work: the life of one start's
 * task, live settings applied to what runs, new senders told, and what it
 * watches while the element plays: silence on a stream (timeout messages),
 * a stream that never sends while others do (started with a GAP so its
 * sink prerolls), senders that were replaced (their elements removed once
 * drained) and what the gates dropped (told, rate-limited). */
#include "element-private.h"

#include <algorithm>

#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace hostnetrtp {

#if !GST_CHECK_VERSION(1, 20, 0)
/* Downstream of the session's RTP session, past rtpstorage. */
GstElement *ssrc_demux_118 (GstElement *rtpbin, guint session)
{
  GstElement *found = nullptr;
  g_signal_emit_by_name (rtpbin, "get-session", session, &found);
  GstObjectPtr<GstElement> element (found);
  const char *src_name = "recv_rtp_src";
  for (int hop = 0; element && hop < 4; hop++) {
    GstElementFactory *factory = gst_element_get_factory (element.get ());
    if (factory && g_strcmp0 (GST_OBJECT_NAME (factory), "rtpssrcdemux") == 0)
      return element.release ();
    GstObjectPtr<GstPad> src (gst_element_get_static_pad (element.get (), src_name));
    GstObjectPtr<GstPad> peer (src ? gst_pad_get_peer (src.get ()) : nullptr);
    element.reset (peer ? gst_pad_get_parent_element (peer.get ()) : nullptr);
    src_name = "src";
  }
  return nullptr;
}
#endif

namespace {

constexpr guint kTickMs = 50;
/* A replaced sender's elements stay this long after its last packet left
 * the reader, beyond the jitterbuffer's latency: it drains. */
constexpr gint64 kClearMargin = 200 * G_TIME_SPAN_MILLISECOND;

void post_silence (GstHostnetRtpSrc *self, const WatchEvent &event, const Stream &stream)
{
  const BoundStream &sockets = stream.path->sockets ();
  const char *name = event.kind == WatchEvent::Silent ? "hostnetrtp-timeout" : "hostnetrtp-resumed";
  post_element_message (self, gst_structure_new (name, "stream", G_TYPE_UINT, event.index,
      "media", G_TYPE_STRING, stream.description.media.c_str (),
      "rtp-port", G_TYPE_UINT, guint (sockets.rtp_port),
      "rtcp-port", G_TYPE_UINT, guint (sockets.rtcp_port),
      "silent-for", G_TYPE_UINT64, guint64 (event.silent_for_us) * GST_USECOND, nullptr));
}

/* Starts an idle stream with a GAP at the current running time, so that its
 * sink prerolls. On a thread of the stream's own: the GAP may wait in a
 * prerolling sink for as long as the pipeline's latency. */
void push_idle_gap (GstHostnetRtpSrc *self, Stream &stream)
{
  if (stream.gap_pushing)
    return;  /* one is on its way */
  if (stream.gap_pusher.joinable ())
    stream.gap_pusher.join ();  /* the last one is done */
  stream.gap_pushing = true;
  stream.gap_pusher = std::thread ([self, &stream] {
    GST_INFO_OBJECT (self, "stream %u has sent nothing while others do: starting it with a GAP",
        stream.index);
    GstClockTime now = 0;
    if (GstObjectPtr<GstClock> clock {gst_element_get_clock (GST_ELEMENT (self))}) {
      GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
      GstClockTime t = gst_clock_get_time (clock.get ());
      now = t > base ? t - base : 0;
    }
    push_into_funnel (stream, gst_event_new_gap (now, GST_CLOCK_TIME_NONE));
    stream.gap_pushing = false;
  });
}

/* GStreamer 1.18's rtpbin has no clear-ssrc (1.20 added it, and does this):
 * the session's rtpssrcdemux is told instead. */
void clear_ssrc (GstElement *rtpbin, guint session, guint32 ssrc)
{
#if GST_CHECK_VERSION(1, 20, 0)
  g_signal_emit_by_name (rtpbin, "clear-ssrc", session, ssrc);
#else
  GstObjectPtr<GstElement> demux (ssrc_demux_118 (rtpbin, session));
  if (demux)
    g_signal_emit_by_name (demux.get (), "clear-ssrc", ssrc);
#endif
}

/* Removes the elements of senders replaced long enough ago: once their last
 * packets have left the reader and the jitterbuffer's latency has passed,
 * unless one came back and is current again. */
void clear_replaced_senders (GstHostnetRtpSrc *self, Run &run, const std::shared_ptr<GstElement> &rtpbin,
    const std::vector<std::shared_ptr<Stream>> &streams, gint64 latency_us)
{
  const gint64 now = g_get_monotonic_time ();
  std::vector<PendingClear> due;
  for (PendingClear &c : run.pending_clears)
    if (!c.drained_at_us && c.session < streams.size () && streams[c.session]->dequeued >= c.mark)
      c.drained_at_us = now;
  auto is_due = [now, latency_us] (const PendingClear &c) {
    return c.drained_at_us && now - c.drained_at_us >= latency_us + kClearMargin;
  };
  std::copy_if (run.pending_clears.begin (), run.pending_clears.end (), std::back_inserter (due), is_due);
  run.pending_clears.erase (std::remove_if (run.pending_clears.begin (), run.pending_clears.end (),
      is_due), run.pending_clears.end ());
  for (const PendingClear &c : due) {
    if (c.session >= streams.size ())
      continue;
    SenderState current = streams[c.session]->path->gate ().sender ();
    if (current.present && current.ssrc == c.ssrc)
      continue;
    GST_INFO_OBJECT (self, "stream %u: removing the replaced sender %08x", c.session, c.ssrc);
    /* clear-ssrc reaches into rtpbin's children: between jobs. */
    run.task.call_out ([rtpbin, c] { clear_ssrc (rtpbin.get (), c.session, c.ssrc); });
  }
}

/* Every 50 ms on the task. */
bool tick (GstHostnetRtpSrc *self, Run &run)
{
  std::shared_ptr<GstElement> rtpbin;
  auto streams = streams_of (self, &rtpbin);
  gint64 timeout_us, latency_us;
  {
    std::lock_guard<std::mutex> guard (self->priv->lock);
    /* Any timeout counts, however short: at least one microsecond. */
    timeout_us = gint64 ((self->priv->settings.silence () + GST_USECOND - 1) / GST_USECOND);
    latency_us = gint64 (self->priv->settings.latency) * G_TIME_SPAN_MILLISECOND;
  }
  const gint64 now = g_get_monotonic_time ();
  if (run.playing && rtpbin) {
    /* Silence counts from the start of each PLAYING, and of each build. */
    if (run.generation != run.watched_generation || streams.size () != run.watched_streams) {
      run.silence.start (streams.size (), now);
      run.watched_generation = run.generation;
      run.watched_streams = streams.size ();
    }
    std::vector<gint64> last_packet;
    for (auto &stream : streams)
      last_packet.push_back (stream->path->gate ().counters ().last_packet_us);
    for (const WatchEvent &event : run.silence.tick (now, last_packet, timeout_us)) {
      if (event.kind == WatchEvent::IdleGap)
        push_idle_gap (self, *streams[event.index]);
      else
        post_silence (self, event, *streams[event.index]);
    }
    clear_replaced_senders (self, run, rtpbin, streams, latency_us);
  }
  for (auto &stream : streams)
    stream->path->report_drops (now);
  return true;
}

/* Live settings into what runs: the jitterbuffers (through rtpbin, between
 * jobs: they post LATENCY, which application code may handle at once) and
 * the gates (push mode: pull mode's gates take only the camera). */
void apply_live (GstHostnetRtpSrc *self, Run &run)
{
  JitterSettings jitter;
  std::shared_ptr<const SenderFilter> filter;
  gint64 takeover_after_us;
  bool pull;
  {
    std::lock_guard<std::mutex> guard (self->priv->lock);
    const Settings &s = self->priv->settings;
    jitter = jitter_settings (s);
    filter = s.filter;
    takeover_after_us = gint64 (s.sender_timeout) * G_TIME_SPAN_MILLISECOND;
    pull = s.pull ();
  }
  std::shared_ptr<GstElement> rtpbin;
  const auto streams = streams_of (self, &rtpbin);
  for (auto &stream : streams) {
    if (!pull)
      stream->path->gate ().set_filter (filter);
    stream->path->gate ().set_takeover_after (takeover_after_us);
  }
  if (!rtpbin)
    return;
  const guint n_sessions = guint (streams.size ());
  run.task.call_out ([self, rtpbin, jitter, n_sessions] {
    std::string missing;
    apply_jitter (rtpbin.get (), jitter, n_sessions, missing);
    if (!missing.empty ())
      post_warning (self, missing);
  });
}

}  // namespace

std::shared_ptr<Run> current_run (GstHostnetRtpSrc *self)
{
  std::lock_guard<std::mutex> guard (self->priv->lock);
  return self->priv->run;
}

std::shared_ptr<Run> control_prepare (GstHostnetRtpSrc *self)
{
  auto run = std::make_shared<Run> ();
  std::lock_guard<std::mutex> guard (self->priv->lock);
  self->priv->run = run;
  return run;
}

void control_start (GstHostnetRtpSrc *self, const std::shared_ptr<Run> &run)
{
  Run *r = run.get ();
  run->task.post ([self, r] {
    r->tick = r->task.every (kTickMs, [self, r] { return tick (self, *r); });
  });
  run->task.start (GST_OBJECT (self), "hostnetrtp-ctl", run);
}

void control_playing (GstHostnetRtpSrc *self, bool playing)
{
  std::shared_ptr<Run> run = current_run (self);
  if (!run)
    return;
  Run *r = run.get ();
  run->task.post ([r, playing] {
    r->playing = playing;
    if (playing)
      r->generation++;
    pull_playing (*r, playing);
  });
}

void control_stop (GstHostnetRtpSrc *self)
{
  if (std::shared_ptr<Run> run = current_run (self))
    run->task.stop ();
}

void control_apply_live (GstHostnetRtpSrc *self)
{
  std::shared_ptr<Run> run = current_run (self);
  if (!run)
    return;
  Run *r = run.get ();
  run->task.post ([self, r] { apply_live (self, *r); });
}

void control_sender_changed (GstHostnetRtpSrc *self, Stream &stream, const GateVerdict &verdict)
{
  std::shared_ptr<Run> run = current_run (self);
  GST_INFO_OBJECT (self, "stream %u: sender %08x from %s%s", stream.index, verdict.ssrc,
      verdict.sender.to_string ().c_str (), verdict.had_previous ? " took over" : "");
  post_element_message (self, gst_structure_new ("hostnetrtp-sender-changed",
      "stream", G_TYPE_UINT, stream.index, "ssrc", G_TYPE_UINT, verdict.ssrc,
      "sender", G_TYPE_STRING, verdict.sender.to_string ().c_str (),
      "had-previous", G_TYPE_BOOLEAN, verdict.had_previous,
      "previous-ssrc", G_TYPE_UINT, verdict.previous_ssrc, nullptr));
  if (!run)
    return;
  /* A sender that comes back is current again: its elements stay, and the
   * next time it is replaced its drain counts from then. */
  auto &pending = run->pending_clears;
  pending.erase (std::remove_if (pending.begin (), pending.end (), [&] (const PendingClear &c) {
    return c.session == stream.index && c.ssrc == verdict.ssrc;
  }), pending.end ());
  if (verdict.had_previous && verdict.previous_ssrc != verdict.ssrc)
    pending.push_back ({stream.index, verdict.previous_ssrc, verdict.packets_before, 0});
}

}  // namespace hostnetrtp
