/* hostnetrtp — what the element watches while it plays, from a thread of
 * its own: silence on a stream (timeout messages), a stream that never
 * sends while others do (started with a GAP so its sink prerolls), senders
 * that were replaced (their elements removed once drained), and the drops
 * the gate counted (reported, rate-limited, even when no new drop comes).
 * The thread's body never runs under a lock, and never pushes downstream
 * itself: a GAP can wait in a sink for as long as the pipeline's latency. */
#include "element-private.h"

#include "stream-watch.h"

#include <algorithm>

#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace hostnetrtp {

namespace {

constexpr auto kTick = std::chrono::milliseconds (50);
/* A replaced sender's elements stay this long after its last packet left
 * the queue, beyond the jitterbuffer's latency: it drains. */
constexpr gint64 kClearMargin = 200 * G_TIME_SPAN_MILLISECOND;

void post_silence (GstHostnetRtpSrc *self, const WatchEvent &event, const Stream &stream)
{
  const BoundStream &sockets = stream.path->sockets ();
  const char *name = event.kind == WatchEvent::Silent ? "hostnetrtp-timeout" : "hostnetrtp-resumed";
  GstStructure *s = gst_structure_new (name, "stream", G_TYPE_UINT, event.index,
      "media", G_TYPE_STRING, stream.description.media.c_str (),
      "rtp-port", G_TYPE_UINT, guint (sockets.rtp_port),
      "rtcp-port", G_TYPE_UINT, guint (sockets.rtcp_port),
      "silent-for", G_TYPE_UINT64, guint64 (event.silent_for_us) * GST_USECOND, nullptr);
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Starts an idle stream with a GAP at the current running time, so that its
 * sink prerolls. Runs on GStreamer's thread pool: the GAP may wait in a
 * prerolling sink for as long as the pipeline's latency. */
void push_idle_gap (GstElement *element, gpointer data) noexcept
{
  Stream &stream = *static_cast<std::shared_ptr<Stream> *> (data)->get ();
  if (stream.path->gate ().counters ().last_packet_us != 0)
    return;  /* data came meanwhile */
  GST_INFO_OBJECT (element, "stream %u has sent nothing while others do: starting it with a GAP",
      stream.index);
  GstClockTime now = 0;
  if (GstObjectPtr<GstClock> clock {gst_element_get_clock (element)}) {
    GstClockTime base = gst_element_get_base_time (element);
    GstClockTime t = gst_clock_get_time (clock.get ());
    now = t > base ? t - base : 0;
  }
  push_into_funnel (stream, gst_event_new_gap (now, GST_CLOCK_TIME_NONE));
}

/* Removes the elements of senders replaced long enough ago: once their last
 * packets have left the queue and the jitterbuffer's latency has passed,
 * unless one came back and is current again. clear-ssrc is not for a
 * streaming thread; this is not one. */
void clear_replaced_senders (GstHostnetRtpSrc *self, GstElement *rtpbin,
    const std::vector<std::shared_ptr<Stream>> &streams, gint64 latency_us)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  const gint64 now = g_get_monotonic_time ();
  std::vector<PendingClear> due;
  {
    std::lock_guard<std::mutex> guard (priv->clear_lock);
    for (PendingClear &c : priv->pending_clears)
      if (!c.drained_at_us && c.session < streams.size () && streams[c.session]->dequeued >= c.mark)
        c.drained_at_us = now;
    auto is_due = [now, latency_us] (const PendingClear &c) {
      return c.drained_at_us && now - c.drained_at_us >= latency_us + kClearMargin;
    };
    std::copy_if (priv->pending_clears.begin (), priv->pending_clears.end (), std::back_inserter (due), is_due);
    priv->pending_clears.erase (std::remove_if (priv->pending_clears.begin (),
        priv->pending_clears.end (), is_due), priv->pending_clears.end ());
  }
  for (const PendingClear &c : due) {
    if (c.session >= streams.size ())
      continue;
    SenderState current = streams[c.session]->path->gate ().sender ();
    if (current.present && current.ssrc == c.ssrc)
      continue;
    GST_INFO_OBJECT (self, "stream %u: removing the replaced sender %08x", c.session, c.ssrc);
    g_signal_emit_by_name (rtpbin, "clear-ssrc", c.session, c.ssrc);
  }
}

void watch_loop (GstHostnetRtpSrc *self) noexcept
{
  HostnetRtpSrcPrivate *priv = self->priv;
  Watch &w = priv->watch;
  StreamWatch silence;
  guint started_generation = G_MAXUINT;
  size_t started_streams = 0;
  std::unique_lock<std::mutex> lock (w.lock);
  while (!w.wakeup.wait_for (lock, kTick, [&w] { return w.stop; })) {
    const bool playing = w.playing;
    const guint generation = w.generation;
    lock.unlock ();
    GstObjectPtr<GstElement> rtpbin;
    auto streams = streams_of (self, &rtpbin);
    gint64 timeout_us, latency_us;
    {
      std::lock_guard<std::mutex> guard (priv->lock);
      /* Any timeout counts, however short: at least one microsecond. */
      timeout_us = gint64 ((priv->settings.timeout + GST_USECOND - 1) / GST_USECOND);
      latency_us = gint64 (priv->settings.latency) * G_TIME_SPAN_MILLISECOND;
    }
    const gint64 now = g_get_monotonic_time ();
    if (playing && rtpbin) {
      /* Silence counts from the start of each PLAYING, and of each build. */
      if (generation != started_generation || streams.size () != started_streams) {
        silence.start (streams.size (), now);
        started_generation = generation;
        started_streams = streams.size ();
      }
      std::vector<gint64> last_packet;
      for (auto &stream : streams)
        last_packet.push_back (stream->path->gate ().counters ().last_packet_us);
      for (const WatchEvent &event : silence.tick (now, last_packet, timeout_us)) {
        if (event.kind != WatchEvent::IdleGap) {
          post_silence (self, event, *streams[event.index]);
          continue;
        }
        gst_element_call_async (GST_ELEMENT (self), push_idle_gap,
            new std::shared_ptr<Stream> (streams[event.index]),
            [] (gpointer data) noexcept { delete static_cast<std::shared_ptr<Stream> *> (data); });
      }
      clear_replaced_senders (self, rtpbin.get (), streams, latency_us);
    }
    for (auto &stream : streams)
      stream->path->report_drops (now);
    lock.lock ();
  }
}

}  // namespace

void watch_play (GstHostnetRtpSrc *self)
{
  Watch &w = self->priv->watch;
  std::lock_guard<std::mutex> guard (w.lock);
  w.playing = true;
  w.generation++;
  if (!w.thread.joinable ()) {
    w.stop = false;
    w.thread = std::thread (watch_loop, self);
  }
}

void watch_pause (GstHostnetRtpSrc *self)
{
  Watch &w = self->priv->watch;
  std::lock_guard<std::mutex> guard (w.lock);
  w.playing = false;
}

void watch_stop (GstHostnetRtpSrc *self)
{
  Watch &w = self->priv->watch;
  {
    std::lock_guard<std::mutex> guard (w.lock);
    w.stop = true;
    w.playing = false;
  }
  w.wakeup.notify_all ();
  if (w.thread.joinable ())
    w.thread.join ();
}

void sender_changed (GstHostnetRtpSrc *self, Stream &stream, const GateVerdict &verdict)
{
  const SenderState sender = stream.path->gate ().sender ();
  GST_INFO_OBJECT (self, "stream %u: sender %08x from %s%s", stream.index, verdict.ssrc,
      sender.rtp_from.to_string ().c_str (), verdict.had_previous ? " took over" : "");
  GstStructure *s = gst_structure_new ("hostnetrtp-sender-changed",
      "stream", G_TYPE_UINT, stream.index, "ssrc", G_TYPE_UINT, verdict.ssrc,
      "sender", G_TYPE_STRING, sender.rtp_from.to_string ().c_str (),
      "had-previous", G_TYPE_BOOLEAN, verdict.had_previous,
      "previous-ssrc", G_TYPE_UINT, verdict.previous_ssrc, nullptr);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
  std::lock_guard<std::mutex> guard (self->priv->clear_lock);
  /* A sender that comes back is current again: its elements stay, and the
   * next time it is replaced its drain counts from then. */
  auto &pending = self->priv->pending_clears;
  pending.erase (std::remove_if (pending.begin (), pending.end (), [&] (const PendingClear &c) {
    return c.session == stream.index && c.ssrc == verdict.ssrc;
  }), pending.end ());
  if (!verdict.had_previous || verdict.previous_ssrc == verdict.ssrc)
    return;
  /* The new sender's first packet is counted already: the old one's last
   * packets are the ones before it. */
  const guint64 mark = stream.path->gate ().counters ().packets - 1;
  pending.push_back ({stream.index, verdict.previous_ssrc, mark, 0});
}

}  // namespace hostnetrtp
