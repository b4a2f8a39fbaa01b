/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp-replica — runs one pipeline text the way a pipeline server
 * would in every replica, and reports on stdout, one line per event:
 *
 *   allocation element=src address=0.0.0.0 advertise=198.18.0.1 ports=32546/32547,32548/32549
 *   stats element=src stream=0 ssrc=0x1234 packets=1200 lost=0 bitrate=1000000 frames=250 dropped=0 sender=192.0.2.7:5004
 *   stopping reason=signal           (SIGTERM or SIGINT: the pipeline goes to NULL,
 *   stopped exit=0                    releasing its ports and removing its SDP)
 *   error text="..."
 *
 * "frames" counts the buffers reaching the sink named "sink<stream>" (sink0
 * for stream 0), if the pipeline has one.
 * Usage: hostnetrtp-replica [--interval MS] PIPELINE-TEXT
 */
#include <gst/gst.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

namespace {

struct Replica {
  GstElement *pipeline = nullptr;
  GMainLoop *loop = nullptr;
  std::map<std::string, std::unique_ptr<std::atomic<guint64>>> frames;  /* per sink name */
  int exit_code = 0;
};

GstPadProbeReturn count_buffer (GstPad *, GstPadProbeInfo *, gpointer counter) noexcept
{
  static_cast<std::atomic<guint64> *> (counter)->fetch_add (1, std::memory_order_relaxed);
  return GST_PAD_PROBE_OK;
}

/* Counts buffers into every sink of the pipeline, by sink name. */
void watch_sinks (Replica &r)
{
  GstIterator *it = gst_bin_iterate_sinks (GST_BIN (r.pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *sink = GST_ELEMENT (g_value_get_object (&item));
    if (GstPad *pad = gst_element_get_static_pad (sink, "sink")) {
      auto &counter = r.frames[GST_OBJECT_NAME (sink)];
      counter = std::make_unique<std::atomic<guint64>> (0);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, counter.get (), nullptr);
      gst_object_unref (pad);
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

void print_allocation (GstMessage *msg)
{
  const GstStructure *s = gst_message_get_structure (msg);
  const GValue *streams = gst_structure_get_value (s, "streams");
  std::string ports;
  for (guint i = 0; streams && i < gst_value_array_get_size (streams); i++) {
    const GstStructure *st = gst_value_get_structure (gst_value_array_get_value (streams, i));
    guint rtp = 0, rtcp = 0;
    gst_structure_get_uint (st, "rtp-port", &rtp);
    gst_structure_get_uint (st, "rtcp-port", &rtcp);
    ports += (ports.empty () ? "" : ",") + std::to_string (rtp) + "/" + std::to_string (rtcp);
  }
  std::printf ("allocation element=%s address=%s advertise=%s ports=%s pid=%d\n",
      GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), gst_structure_get_string (s, "address"),
      gst_structure_get_string (s, "advertise-address"), ports.c_str (), (int) getpid ());
  std::fflush (stdout);
}

guint64 frames_of (Replica &r, guint stream)
{
  std::string sink = "sink" + std::to_string (stream);
  return r.frames.count (sink) ? r.frames[sink]->load () : 0;
}

/* hostnetrtpsrc tells its streams itself: its stats property. */
void print_element_stats (Replica &r, GstElement *src)
{
  GstStructure *all = nullptr;
  g_object_get (src, "stats", &all, nullptr);
  guint n = 0;
  gst_structure_get_uint (all, "n-streams", &n);
  for (guint i = 0; i < n; i++) {
    std::string field = "stream-" + std::to_string (i);
    const GValue *v = gst_structure_get_value (all, field.c_str ());
    if (!v)
      continue;
    const GstStructure *st = gst_value_get_structure (v);
    guint ssrc = 0;
    guint64 packets = 0, lost = 0, bitrate = 0, dropped = 0, value = 0;
    gst_structure_get_uint (st, "ssrc", &ssrc);
    gst_structure_get_uint64 (st, "packets-received", &packets);
    gst_structure_get_uint64 (st, "packets-lost", &lost);
    gst_structure_get_uint64 (st, "bitrate", &bitrate);
    for (const char *d : {"dropped-not-allowed", "dropped-malformed", "dropped-foreign"})
      if (gst_structure_get_uint64 (st, d, &value))
        dropped += value;
    if (!ssrc)
      continue;
    std::printf ("stats element=%s stream=%u ssrc=0x%08x packets=%" G_GUINT64_FORMAT " lost=%"
        G_GUINT64_FORMAT " bitrate=%" G_GUINT64_FORMAT " frames=%" G_GUINT64_FORMAT " dropped=%"
        G_GUINT64_FORMAT " sender=%s\n", GST_OBJECT_NAME (src), i, ssrc, packets, lost, bitrate,
        frames_of (r, i), dropped, gst_structure_get_string (st, "sender"));
  }
  gst_structure_free (all);
}

/* Other RTP sources (rtpsrc, for the comparison): one line per RTP source
 * their rtpbin has seen. */
void print_rtpbin_stats (Replica &r, GstElement *rtpbin)
{
  const char *owner = GST_OBJECT_NAME (GST_OBJECT_PARENT (rtpbin));
  for (guint session_id = 0;; session_id++) {
    GObject *session = nullptr;
    g_signal_emit_by_name (rtpbin, "get-internal-session", session_id, &session);
    if (!session)
      break;
    GstStructure *stats = nullptr;
    g_object_get (session, "stats", &stats, nullptr);
    const GValue *value = stats ? gst_structure_get_value (stats, "source-stats") : nullptr;
    /* rtpsession hands a GValueArray here, not a GstValueArray. */
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    auto *sources = value ? static_cast<GValueArray *> (g_value_get_boxed (value)) : nullptr;
    for (guint i = 0; sources && i < sources->n_values; i++) {
      const GstStructure *src = gst_value_get_structure (g_value_array_get_nth (sources, i));
      gboolean is_sender = FALSE, internal = FALSE;
      gst_structure_get_boolean (src, "is-sender", &is_sender);
      gst_structure_get_boolean (src, "internal", &internal);
      if (internal || !is_sender)
        continue;
      guint ssrc = 0;
      guint64 packets = 0, bitrate = 0;
      gint lost = 0;
      gst_structure_get_uint (src, "ssrc", &ssrc);
      gst_structure_get_uint64 (src, "packets-received", &packets);
      gst_structure_get_int (src, "packets-lost", &lost);
      gst_structure_get_uint64 (src, "bitrate", &bitrate);
      lost = MAX (lost, 0);  /* rtpsession counts duplicates as negative loss */
      std::printf ("stats element=%s stream=%u ssrc=0x%08x packets=%" G_GUINT64_FORMAT
          " lost=%d bitrate=%" G_GUINT64_FORMAT " frames=%" G_GUINT64_FORMAT "\n",
          owner, session_id, ssrc, packets, lost, bitrate, frames_of (r, session_id));
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    if (stats)
      gst_structure_free (stats);
    g_object_unref (session);
  }
}

bool made_by (GstElement *e, const char *factory)
{
  GstElementFactory *f = e ? gst_element_get_factory (e) : nullptr;
  return f && std::strcmp (GST_OBJECT_NAME (f), factory) == 0;
}

/* An element of a hostnetrtpsrc's own, at any depth (it tells its streams itself). */
bool inside_hostnetrtpsrc (GstElement *e)
{
  for (GstObject *o = GST_OBJECT_PARENT (e); o; o = GST_OBJECT_PARENT (o))
    if (GST_IS_ELEMENT (o) && made_by (GST_ELEMENT (o), "hostnetrtpsrc"))
      return true;
  return false;
}

/* One stats line per stream (hostnetrtpsrc) or per RTP source (others). */
void print_stats (Replica &r)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (r.pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&item));
    if (made_by (e, "hostnetrtpsrc"))
      print_element_stats (r, e);
    else if (made_by (e, "rtpbin") && !inside_hostnetrtpsrc (e))
      print_rtpbin_stats (r, e);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  std::fflush (stdout);
}

gboolean on_bus (GstBus *, GstMessage *msg, gpointer data) noexcept
{
  auto *r = static_cast<Replica *> (data);
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (msg, "hostnetrtp-allocation"))
        print_allocation (msg);
      break;
    case GST_MESSAGE_WARNING:
    case GST_MESSAGE_ERROR: {
      GError *err = nullptr;
      bool error = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR;
      if (error)
        gst_message_parse_error (msg, &err, nullptr);
      else
        gst_message_parse_warning (msg, &err, nullptr);
      std::printf ("%s element=%s text=\"%s\"\n", error ? "error" : "warning",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      std::fflush (stdout);
      g_error_free (err);
      if (error) {
        r->exit_code = 1;
        g_main_loop_quit (r->loop);
      }
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (r->loop);
      break;
    default:
      break;
  }
  return TRUE;
}

gboolean on_tick (gpointer data) noexcept
{
  print_stats (*static_cast<Replica *> (data));
  return G_SOURCE_CONTINUE;
}

/* SIGTERM (what Kubernetes sends) and SIGINT: stop cleanly, so the element
 * releases its ports and removes its SDP before the process ends. */
gboolean on_signal (gpointer data) noexcept
{
  std::printf ("stopping reason=signal\n");
  std::fflush (stdout);
  g_main_loop_quit (static_cast<Replica *> (data)->loop);
  return G_SOURCE_REMOVE;
}

}  // namespace

#include <glib-unix.h>

int main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  guint interval = 1000;
  int arg = 1;
  if (argc > 2 && std::strcmp (argv[1], "--interval") == 0) {
    interval = std::atoi (argv[2]);
    arg = 3;
  }
  if (arg >= argc) {
    std::fprintf (stderr, "usage: %s [--interval MS] PIPELINE-TEXT\n", argv[0]);
    return 2;
  }
  Replica r;
  GError *err = nullptr;
  r.pipeline = gst_parse_launch (argv[arg], &err);
  if (!r.pipeline) {
    std::printf ("error element=pipeline text=\"%s\"\n", err->message);
    return 1;
  }
  r.loop = g_main_loop_new (nullptr, FALSE);
  GstBus *bus = gst_element_get_bus (r.pipeline);
  gst_bus_add_watch (bus, on_bus, &r);
  gst_object_unref (bus);
  watch_sinks (r);
  g_unix_signal_add (SIGINT, on_signal, &r);
  g_unix_signal_add (SIGTERM, on_signal, &r);
  if (gst_element_set_state (r.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* The error is on the bus: drain it so it is printed. */
    GstBus *b = gst_element_get_bus (r.pipeline);
    while (GstMessage *m = gst_bus_pop (b)) {
      on_bus (b, m, &r);
      gst_message_unref (m);
    }
    gst_object_unref (b);
    gst_element_set_state (r.pipeline, GST_STATE_NULL);
    return 1;
  }
  g_timeout_add (interval, on_tick, &r);
  g_main_loop_run (r.loop);
  print_stats (r);
  gst_element_set_state (r.pipeline, GST_STATE_NULL);
  gst_object_unref (r.pipeline);
  g_main_loop_unref (r.loop);
  std::printf ("stopped exit=%d\n", r.exit_code);
  std::fflush (stdout);
  return r.exit_code;
}
