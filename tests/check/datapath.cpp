/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — hostnetrtpsrc data path suite: real RTP (IPv4, IPv6,
 * dual-stack) through the element's gate, rtpbin and pads; restarts, camera
 * reboots, payload types, silence, statistics and idle streams. */
#include "element-util.h"

#include <atomic>
#include <set>
#include <thread>

using namespace testutil;

static guint16
seq_of (GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless (gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp));
  guint16 seq = gst_rtp_buffer_get_seq (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  return seq;
}

/* Pulls until packet @seq of @ssrc arrives; fails on any buffer of @never. */
static bool
received_seq_not (GstElement *sink, guint32 ssrc, guint16 seq, guint32 never)
{
  while (GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND)) {
    guint32 got = ssrc_of (gst_sample_get_buffer (sample));
    guint16 got_seq = seq_of (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
    fail_if (got == never, "SSRC %08x came out of src_0", never);
    if (got == ssrc && got_seq == seq)
      return true;
  }
  return false;
}

GST_START_TEST (test_receives_rtp)
{
  GstElement *pipeline = launch (receiver (random_range (8)));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS);
  guint port = uint_property (child (pipeline, "src"), "rtp-port");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  Sender camera;
  camera.send_rtp (port, 0x11223344);
  GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (child (pipeline, "sink")), 10 * GST_SECOND);
  fail_unless (sample != nullptr, "no RTP came out of src_0");
  fail_unless_equals_int (ssrc_of (gst_sample_get_buffer (sample)), 0x11223344);
  GstStructure *caps = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  fail_unless_equals_string (gst_structure_get_string (caps, "encoding-name"), "H264");
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Both receive paths (the batched reader, and udpsrc ! queue kept for
 * comparison) deliver every size a UDP datagram can have, as udpsrc does:
 * a 60000-byte datagram (loopback, or a payloader with a large mtu) too. */
GST_START_TEST (test_both_receive_paths_take_any_datagram_size)
{
  for (const char *path : {"batched", "udpsrc"}) {
    GstElement *pipeline = launch (receiver (random_range (4), std::string ("receive-path=") + path));
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    GstElement *src = child (pipeline, "src"), *sink = child (pipeline, "sink");
    guint port = uint_property (src, "rtp-port");
    Sender camera;
    camera.send_rtp (port, 0x51E0001, 3);
    for (guint size : {1400u, 9000u, 20000u, 60000u})
      camera.send (camera.rtp.get (), port, Sender::rtp_packet (0x51E0001, camera.seq++,
          camera.timestamp += 3000, 96, size));
    std::set<gsize> sizes;
    while (sizes.size () < 4) {
      GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
      fail_unless (sample != nullptr, "receive-path=%s: only %zu of the large datagrams came out", path,
          sizes.size ());
      const gsize size = gst_buffer_get_size (gst_sample_get_buffer (sample));
      if (size > 1000)
        sizes.insert (size);
      gst_sample_unref (sample);
    }
    fail_unless (sizes == std::set<gsize> ({1412, 9012, 20012, 60012}), "receive-path=%s", path);
    GstStructurePtr stats (stream_stats (pipeline, 0));
    fail_unless_equals_int (stat_u64 (stats.get (), "dropped-malformed"), 0);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
}
GST_END_TEST;

/* Datagrams the kernel drops on a full receive buffer are counted and
 * named: the reader does not read in PAUSED (a live source), so a burst
 * then overflows a small buffer. */
GST_START_TEST (test_kernel_drops_are_counted_and_told)
{
  GstElement *pipeline = launch (receiver (random_range (4), "buffer-size=65536"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  const guint port = uint_property (src, "rtp-port");
  Sender camera;
  /* Timestamps close together: what is read after the overflow still
   * follows the sequence plausibly, so the kernel's drops are all there is. */
  for (int i = 0; i < 1000; i++)
    camera.send (camera.rtp.get (), port, Sender::rtp_packet (0xD0D0, camera.seq++,
        camera.timestamp += 30, 96, 1200));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  camera.send_rtp (port, 0xD0D0, 3);  /* a datagram read after the overflow carries the count */
  guint64 dropped = 0;
  for (int i = 0; i < 500 && dropped == 0; i++) {
    g_usleep (10000);
    dropped = stat_u64 (stream_stats (pipeline, 0).get (), "dropped-kernel");
  }
  /* 1000 x 1212 bytes into a buffer of 128 KiB (the kernel doubles 64 KiB): most are lost. */
  fail_unless (dropped >= 500 && dropped < 1000, "dropped-kernel = %" G_GUINT64_FORMAT, dropped);
  GstMessage *warning = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline), 5 * GST_SECOND,
      GST_MESSAGE_WARNING);
  fail_unless (warning != nullptr, "no warning about the kernel's drops");
  GError *error = nullptr;
  gst_message_parse_warning (warning, &error, nullptr);
  fail_unless (strstr (error->message, "lost in the kernel's receive buffer") &&
      strstr (error->message, "buffer-size"), "%s", error->message);
  fail_if (strstr (error->message, "the last from"), "a sender named for the kernel's drops: %s",
      error->message);
  g_error_free (error);
  gst_message_unref (warning);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* SSRC squatting (issue 8): 50 packets carrying the camera's SSRC from
 * another host, sent before the camera starts, once made rtpsession drop
 * every packet of the camera for 36 s. Now the squatter holds the stream
 * only until it has been silent for sender-timeout; then the camera's
 * packets come out (rtpsession never sees the two addresses behind one
 * SSRC, so it finds no collision to hold against the camera). */
GST_START_TEST (test_ssrc_squatting_before_the_camera_starts)
{
  GstElement *pipeline = launch (receiver (random_range (4), "sender-timeout=500"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src"), *sink = child (pipeline, "sink");
  const guint port = uint_property (src, "rtp-port");
  const guint32 camera_ssrc = 0xCA3E7A00;
  Sender squatter ("127.0.0.2", "127.0.0.1");
  squatter.seq = 40000;
  squatter.send_rtp (port, camera_ssrc, 50);
  Sender camera;
  const gint64 camera_started = g_get_monotonic_time ();
  gint64 delivered_at = 0;
  for (int i = 0; i < 300 && !delivered_at; i++) {
    camera.send_rtp (port, camera_ssrc, 2);
    while (GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_MSECOND)) {
      const guint16 seq = seq_of (gst_sample_get_buffer (sample));
      gst_sample_unref (sample);
      if (seq < 40000)  /* the camera's (the squatter's, locking first, may come out before) */
        delivered_at = g_get_monotonic_time ();
    }
  }
  fail_unless (delivered_at != 0, "the camera was never delivered after the squatter");
  const gint64 waited_ms = (delivered_at - camera_started) / 1000;
  fail_unless (waited_ms < 3000, "the camera waited %" G_GINT64_FORMAT " ms behind a squatter silent "
      "for sender-timeout=500", waited_ms);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_camera_restart_takes_over_injection_does_not)
{
  GstElement *pipeline = launch (receiver (random_range (8), "sender-timeout=300"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  guint port = uint_property (src, "rtp-port"), rtcp = uint_property (src, "rtcp-port");
  GstElement *sink = child (pipeline, "sink");
  Sender camera, intruder;
  camera.send_rtp (port, 0xAAAA0001);
  fail_unless (received_ssrc (sink, 0xAAAA0001));
  fail_unless (element_message (pipeline, "hostnetrtp-sender-changed") != nullptr, "no message for the first sender");

  /* Another SSRC while the camera is live never reaches src_0: each of the
   * intruder's packets right after one of the camera's (a live camera sends
   * all the time; a pause of sender-timeout would be a legitimate takeover).
   * The camera's last packet, after the intruder's, means all were judged. */
  for (int i = 0; i < 20; i++) {
    camera.send_rtp (port, 0xAAAA0001, 1);
    intruder.send_rtp (port, 0xBADBAD, 1);
  }
  camera.send_rtp (port, 0xAAAA0001, 1);
  fail_unless (received_seq_not (sink, 0xAAAA0001, guint16 (camera.seq - 1), 0xBADBAD));

  /* The camera says BYE (a clean restart): the new SSRC takes over at once. */
  camera.send_bye (rtcp, 0xAAAA0001);
  Sender rebooted;
  rebooted.seq = 7;
  GstMessagePtr changed;
  for (int i = 0; i < 50 && !changed; i++) {  /* the BYE and the RTP race on two sockets */
    rebooted.send_rtp (port, 0xBBBB0002, 1);
    changed = element_message (pipeline, "hostnetrtp-sender-changed", 100 * GST_MSECOND);
  }
  fail_unless (changed != nullptr, "no sender-changed message after BYE");
  guint ssrc = 0, previous = 0;
  gst_structure_get_uint (gst_message_get_structure (changed.get ()), "ssrc", &ssrc);
  gst_structure_get_uint (gst_message_get_structure (changed.get ()), "previous-ssrc", &previous);
  fail_unless_equals_int (ssrc, 0xBBBB0002);
  fail_unless_equals_int (previous, 0xAAAA0001);
  rebooted.send_rtp (port, 0xBBBB0002, 3);  /* rtpsession's probation wants two in sequence */
  fail_unless (received_ssrc (sink, 0xBBBB0002), "the new SSRC never reached src_0");

  /* Another host after a reboot without BYE: it takes over after
   * sender-timeout of silence, not before. */
  rebooted.send_rtp (port, 0xBBBB0002, 3);
  fail_unless (received_ssrc (sink, 0xBBBB0002));
  gint64 silent_since = g_get_monotonic_time ();
  Sender third ("127.0.0.2", "127.0.0.1");
  gint64 taken_at = 0;
  for (int i = 0; i < 100 && !taken_at; i++) {
    third.send_rtp (port, 0xCCCC0003, 1);
    if (element_message (pipeline, "hostnetrtp-sender-changed", 20 * GST_MSECOND))
      taken_at = g_get_monotonic_time ();
  }
  fail_unless (taken_at != 0, "no takeover after the silence");
  fail_unless (taken_at - silent_since >= 300 * G_TIME_SPAN_MILLISECOND,
      "another host took over after %" G_GINT64_FORMAT " us of silence", taken_at - silent_since);
  /* The gate stamps a packet when it reads it, after this send: quiet is
   * measured from no earlier than here. */
  silent_since = g_get_monotonic_time ();
  third.send_rtp (port, 0xCCCC0003, 3);
  fail_unless (received_ssrc (sink, 0xCCCC0003));
  /* The same host with a new SSRC (an encoder restarted without BYE): after
   * 200 ms of quiet already (and three packets of its own in a row). Only
   * the bound that holds on any machine is asserted here: the gate stamps a
   * packet when it reads it, so the quiet it measured is no longer than the
   * one measured here. How soon exactly is the gate suite's, with its clock
   * in the test's hands. */
  Sender restarted_encoder ("127.0.0.2", "127.0.0.1");
  taken_at = 0;
  for (int i = 0; i < 100 && !taken_at; i++) {
    restarted_encoder.send_rtp (port, 0xDDDD0004, 1);
    if (element_message (pipeline, "hostnetrtp-sender-changed", 20 * GST_MSECOND))
      taken_at = g_get_monotonic_time ();
  }
  fail_unless (taken_at != 0, "the restarted encoder never took over");
  fail_unless (taken_at - silent_since >= 200 * G_TIME_SPAN_MILLISECOND,
      "the same host took over after %" G_GINT64_FORMAT " us", taken_at - silent_since);
  restarted_encoder.send_rtp (port, 0xDDDD0004, 3);
  fail_unless (received_ssrc (sink, 0xDDDD0004));
  fail_unless_equals_int (GST_ELEMENT (src)->numsrcpads, 1);
  GstStructurePtr stats (stream_stats (pipeline, 0));
  fail_unless (stat_u64 (stats.get (), "dropped-foreign") >= 20);
  fail_unless_equals_int (stat_u64 (stats.get (), "sender-changes"), 4);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_payload_type_mismatch_still_flows)
{
  GstElement *pipeline = launch (receiver (random_range (8)));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  guint port = uint_property (child (pipeline, "src"), "rtp-port");
  Sender camera;
  camera.send_rtp (port, 0x5150, 5, 107);  /* configured 96, sends 107 */
  GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (child (pipeline, "sink")), 10 * GST_SECOND);
  fail_unless (sample != nullptr);
  int pt = 0;
  gst_structure_get_int (gst_caps_get_structure (gst_sample_get_caps (sample), 0), "payload", &pt);
  fail_unless_equals_int (pt, 107);
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_static_payload_type_keeps_its_encoding)
{
  GstElement *pipeline = launch ("hostnetrtpsrc name=src encoding-name=PCMU latency=0 port-range=" +
      random_range (4) + " ! appsink name=sink sync=false");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  guint port = uint_property (child (pipeline, "src"), "rtp-port");
  Sender camera;
  camera.send_rtp (port, 0xA1A1, 3, 8);  /* PCMA on a stream configured as PCMU */
  GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (child (pipeline, "sink")), 10 * GST_SECOND);
  fail_unless (sample != nullptr);
  GstStructure *caps = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
  fail_unless_equals_string (gst_structure_get_string (caps, "encoding-name"), "PCMA");
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_video_and_audio_streams)
{
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 port-range=" + random_range (8) +
      " " + kVideoAudio + " src.src_0 ! appsink name=video sync=false src.src_1 ! appsink name=audio sync=false");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstMessagePtr msg = allocation_message (pipeline);
  const GValue *streams = gst_structure_get_value (gst_message_get_structure (msg.get ()), "streams");
  fail_unless_equals_int (gst_value_array_get_size (streams), 2);
  guint ports[2];
  for (guint i = 0; i < 2; i++) {
    const GstStructure *s = gst_value_get_structure (gst_value_array_get_value (streams, i));
    gst_structure_get_uint (s, "rtp-port", &ports[i]);
  }
  fail_if (ports[0] == ports[1]);
  Sender camera;
  camera.send_rtp (ports[0], 0x71DE0);
  camera.send_rtp (ports[1], 0xA0D10, 5, 0);
  fail_unless (received_ssrc (child (pipeline, "video"), 0x71DE0));
  fail_unless (received_ssrc (child (pipeline, "audio"), 0xA0D10));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;
GST_START_TEST (test_unlinked_stream_does_not_stop_others)
{
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 port-range=" + random_range (8) +
      " " + kVideoAudio + " src.src_0 ! appsink name=video sync=false");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstMessagePtr msg = allocation_message (pipeline);
  const GValue *streams = gst_structure_get_value (gst_message_get_structure (msg.get ()), "streams");
  guint audio_port = 0;
  gst_structure_get_uint (gst_value_get_structure (gst_value_array_get_value (streams, 1)), "rtp-port", &audio_port);
  guint video_port = uint_property (child (pipeline, "src"), "rtp-port");
  Sender camera;
  camera.send_rtp (audio_port, 0xA0D10, 20, 0);
  camera.send_rtp (video_port, 0x71DE0, 5);
  fail_unless (received_ssrc (child (pipeline, "video"), 0x71DE0));
  camera.send_rtp (audio_port, 0xA0D10, 20, 0);
  camera.send_rtp (video_port, 0x71DE0, 5);
  fail_unless (received_ssrc (child (pipeline, "video"), 0x71DE0));
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  GstMessagePtr error (gst_bus_pop_filtered (bus.get (), GST_MESSAGE_ERROR));
  fail_unless (error == nullptr, "an unlinked stream posted an error");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;
/* A receiver bound to @address: receives @sender_local's RTP and sends its
 * receiver reports back from the bound RTCP socket, opening no other. */
static void
receive_and_report (const char *address, const char *sender_local, const char *send_to)
{
  GstElement *pipeline = launch (receiver (random_range (8), std::string ("address=") + address));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  Sender camera (sender_local, send_to);
  auto sockets_before = bound_udp_sockets ().size ();
  quicken_rtcp (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  guint rtp = uint_property (src, "rtp-port"), rtcp = uint_property (src, "rtcp-port");
  camera.send_rtp (rtp, 0x6E6E);
  fail_unless (received_ssrc (child (pipeline, "sink"), 0x6E6E), "no RTP over %s to %s", sender_local, address);
  camera.send_sender_report (rtcp, 0x6E6E);
  fail_unless_equals_int (wait_for_receiver_report (camera.rtcp.get ()), rtcp);
  fail_unless_equals_int (bound_udp_sockets ().size (), sockets_before);
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  GstMessagePtr error (gst_bus_pop_filtered (bus.get (), GST_MESSAGE_ERROR));
  fail_unless (error == nullptr, "an error on the bus");
  GstStructurePtr stats (stream_stats (pipeline, 0));
  std::string from = gst_structure_get_string (stats.get (), "sender");
  std::string expected_host = strchr (sender_local, ':') ? std::string ("[") + sender_local + "]:" : std::string (sender_local) + ":";
  fail_unless (from.rfind (expected_host, 0) == 0, "sender %s", from.c_str ());
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_symmetric_rtcp)
{
  receive_and_report ("0.0.0.0", "127.0.0.1", nullptr);
}
GST_END_TEST;

GST_START_TEST (test_rtcp_mux)
{
  GstElement *pipeline = launch (receiver (random_range (8), "rtcp-mux=true"));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  quicken_rtcp (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  guint port = uint_property (src, "rtp-port");
  fail_unless_equals_int (uint_property (src, "rtcp-port"), port);
  Sender camera;
  camera.send_rtp (port, 0x3E3E);
  camera.send_sender_report (port, 0x3E3E, camera.rtp.get ());
  camera.send_rtp (port, 0x3E3E);
  GstElement *sink = child (pipeline, "sink");
  for (int i = 0; i < 10; i++) {  /* RTCP must not come out as media */
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
    fail_unless (sample != nullptr, "packet %d missing", i);
    fail_unless_equals_int (ssrc_of (gst_sample_get_buffer (sample)), 0x3E3E);
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (wait_for_receiver_report (camera.rtp.get ()), port);
  /* The split RTCP reached the session: it knows the sender's report. */
  GstStructurePtr source (session_source_stats (pipeline, 0, 0x3E3E));
  fail_unless (source != nullptr);
  gboolean have_sr = FALSE;
  gst_structure_get_boolean (source.get (), "have-sr", &have_sr);
  fail_unless (have_sr, "the sender report never reached rtpsession: %" GST_PTR_FORMAT, source.get ());
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* rtcp-mux: rtpbin's RTCP sink forgets its sticky events when it goes to
 * READY; the RTCP split off the muxed port after PLAYING->READY->PLAYING
 * comes with them again (stream-start, caps, segment before data: GStreamer
 * sends a pad's sticky events again when its peer is activated). */
GST_START_TEST (test_rtcp_mux_after_ready_and_back)
{
  GstElement *pipeline = launch (receiver (random_range (8), "rtcp-mux=true"));
  GstElement *src = child (pipeline, "src");
  Sender camera;
  for (int round = 0; round < 2; round++) {
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    const guint port = uint_property (src, "rtp-port");
    const guint64 before = stat_u64 (stream_stats (pipeline, 0).get (), "rtcp-packets-received");
    camera.send_rtp (port, 0x3E3E);
    camera.send_sender_report (port, 0x3E3E, camera.rtp.get ());
    fail_unless (received_ssrc (child (pipeline, "sink"), 0x3E3E));
    for (int i = 0; i < 500 && stat_u64 (stream_stats (pipeline, 0).get (), "rtcp-packets-received") == before; i++)
      g_usleep (10000);  /* the gate counts it before rtpbin sees it: nothing to wait on */
    GstObjectPtr<GstPad> rtcp_sink (gst_element_get_static_pad (inner_rtpbin (pipeline), "recv_rtcp_sink_0"));
    fail_unless (rtcp_sink != nullptr);
    GstEvent *segment = gst_pad_get_sticky_event (rtcp_sink.get (), GST_EVENT_SEGMENT, 0);
    fail_unless (segment != nullptr, "round %d: RTCP reached rtpbin with no segment before it", round);
    gst_event_unref (segment);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* The GAP that starts an idle stream is pushed from a thread the element
 * joins when it stops: once READY->NULL returns, the push is over and the
 * stream's sockets are closed, however long the push took. The last step
 * of the push (its pad leaving the funnel) is held until NULL returned, or
 * a second passed. */
struct HeldGap {
  GMutex lock;
  GCond changed;
  bool gap_seen = false, held = false, stop_returned = false;
};

GST_START_TEST (test_stop_joins_the_idle_gap)
{
  HeldGap h;
  g_mutex_init (&h.lock);
  g_cond_init (&h.changed);
  unsigned base;
  std::string range = random_range (8, &base);
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 port-range=" + range + " " +
      kVideoAudio + " src.src_0 ! fakesink name=video sync=false src.src_1 ! fakesink name=audio sync=false");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  const guint audio_port = pad_uint (pipeline, "src_1", "rtp-port");
  GstObjectPtr<GstPad> audio_sink (gst_element_get_static_pad (child (pipeline, "audio"), "sink"));
  gst_pad_add_probe (audio_sink.get (), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      [] (GstPad *, GstPadProbeInfo *info, gpointer data) noexcept {
        auto *held = static_cast<HeldGap *> (data);
        if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_GAP) {
          g_mutex_lock (&held->lock);
          held->gap_seen = true;
          g_mutex_unlock (&held->lock);
        }
        return GST_PAD_PROBE_OK;
      }, &h, nullptr);
  GstElement *funnel = gst_bin_get_by_name (GST_BIN (src), "funnel_1");
  fail_unless (funnel != nullptr);
  g_signal_connect (funnel, "pad-removed", G_CALLBACK (+[] (GstElement *, GstPad *, HeldGap *held) noexcept {
    g_mutex_lock (&held->lock);
    if (held->gap_seen && !held->held) {
      held->held = true;
      g_cond_broadcast (&held->changed);
      const gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC;
      while (!held->stop_returned && g_cond_wait_until (&held->changed, &held->lock, end)) {
      }
    }
    g_mutex_unlock (&held->lock);
  }), &h);
  gst_object_unref (funnel);
  Sender camera;
  const guint port = uint_property (src, "rtp-port");
  const gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_mutex_lock (&h.lock);
  while (!h.held && g_get_monotonic_time () < end) {
    g_mutex_unlock (&h.lock);
    camera.send_rtp (port, 0x71DE0, 2);
    g_mutex_lock (&h.lock);
    g_cond_wait_until (&h.changed, &h.lock, g_get_monotonic_time () + 20 * G_TIME_SPAN_MILLISECOND);
  }
  fail_unless (h.held, "the idle audio stream's GAP was never pushed");
  g_mutex_unlock (&h.lock);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  bool audio_socket_open = false;
  for (auto &[address, bound] : bound_udp_sockets ())
    audio_socket_open = audio_socket_open || bound == audio_port;
  g_mutex_lock (&h.lock);
  h.stop_returned = true;
  g_cond_broadcast (&h.changed);
  g_mutex_unlock (&h.lock);
  fail_if (audio_socket_open, "the idle stream's socket %u was still open after NULL: its GAP was "
      "still being pushed", audio_port);
  gst_object_unref (pipeline);
  g_mutex_clear (&h.lock);
  g_cond_clear (&h.changed);
}
GST_END_TEST;

GST_START_TEST (test_ipv6_receives_and_reports)
{
  if (!has_ipv6_loopback ())
    skip_test ("IPv6 is disabled here (::1 cannot be bound)");
  receive_and_report ("::", "::1", nullptr);
}
GST_END_TEST;

GST_START_TEST (test_dual_stack_takes_ipv4_senders)
{
  if (!has_ipv6_loopback ())
    skip_test ("IPv6 is disabled here: no dual-stack socket");
  receive_and_report ("::", "127.0.0.1", "127.0.0.1");
}
GST_END_TEST;

GST_START_TEST (test_restart_then_receive)
{
  /* gst_parse links a sometimes pad once: src_0 must survive restarts. */
  GstElement *pipeline = launch (receiver (random_range (8)));
  GstElement *sink = child (pipeline, "sink");
  for (guint32 cycle = 0; cycle < 3; cycle++) {
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    guint port = uint_property (child (pipeline, "src"), "rtp-port");
    Sender camera;
    camera.send_rtp (port, 0xC0C00000 + cycle, 10);
    fail_unless (received_ssrc (sink, 0xC0C00000 + cycle), "cycle %u delivered nothing", cycle);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  }
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Waits until @bin holds at most @max elements of @factory (up to 10 s),
 * woken by every element leaving the pipeline. */
static int
wait_for_at_most (GstElement *pipeline, GstElement *bin, const char *factory, int max)
{
  wait_until_signalled (G_OBJECT (pipeline), "deep-element-removed",
      [&] { return count_elements (bin, factory) <= max; });
  return count_elements (bin, factory);
}

static guint64
rss_kib ()
{
  gchar *status = nullptr;
  g_file_get_contents ("/proc/self/status", &status, nullptr, nullptr);
  const char *at = status ? strstr (status, "VmRSS:") : nullptr;
  guint64 kib = at ? g_ascii_strtoull (at + 6, nullptr, 10) : 0;
  g_free (status);
  return kib;
}

GST_START_TEST (test_camera_restarts_do_not_grow_the_pipeline)
{
  GstElement *pipeline = launch (receiver (random_range (4), "sender-timeout=50"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  GstElement *sink = child (pipeline, "sink");
  guint port = uint_property (src, "rtp-port"), rtcp = uint_property (src, "rtcp-port");
  guint64 rss_after_warmup = 0;
  const guint32 restarts = under_valgrind () ? 12 : 40;
  for (guint32 restart = 0; restart < restarts; restart++) {
    /* Each boot: a new SSRC; half of them leave with BYE, half just stop. */
    Sender camera;
    camera.seq = guint16 (g_random_int ());
    const guint32 ssrc = 0x5E000000 + restart;
    bool taken = false;
    for (int i = 0; i < 100 && !taken; i++) {
      camera.send_rtp (port, ssrc, 2);
      taken = element_message (pipeline, "hostnetrtp-sender-changed", 20 * GST_MSECOND) != nullptr;
    }
    fail_unless (taken, "restart %u was never taken over", restart);
    camera.send_rtp (port, ssrc, 3);  /* a camera keeps sending: rtpsession's probation */
    fail_unless (received_ssrc (sink, ssrc), "restart %u delivered nothing", restart);
    if (restart % 2)
      camera.send_bye (rtcp, ssrc);
    /* Bounded: the current sender's jitterbuffer and at most the previous one's. */
    fail_unless (wait_for_at_most (pipeline, src, "rtpjitterbuffer", 1) <= 1,
        "restart %u: %d jitterbuffers", restart, count_elements (src, "rtpjitterbuffer"));
    fail_unless (wait_for_at_most (pipeline, src, "rtpptdemux", 1) <= 1,
        "restart %u: %d payload demuxers", restart, count_elements (src, "rtpptdemux"));
    if (restart == 9)
      rss_after_warmup = rss_kib ();
  }
  fail_unless_equals_int (wait_for_at_most (pipeline, src, "rtpjitterbuffer", 1), 1);
  fail_unless_equals_int (wait_for_at_most (pipeline, src, "rtpptdemux", 1), 1);
  guint64 growth = rss_kib () - rss_after_warmup;
  if (under_valgrind ())  /* valgrind's own memory; it checks leaks itself */
    g_printerr ("SKIP RSS check under valgrind (grew %" G_GUINT64_FORMAT " KiB)\n", growth);
  else
    fail_unless (growth < 4096, "RSS grew %" G_GUINT64_FORMAT " KiB over 30 restarts", growth);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_every_stream_tells_its_ports)
{
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 port-range=" + random_range (8) +
      " " + kVideoAudio + " src.src_0 ! fakesink src.src_1 ! fakesink");
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  GstMessagePtr msg = allocation_message (pipeline);
  const GstStructure *s = gst_message_get_structure (msg.get ());
  guint n = 0;
  fail_unless (gst_structure_get_uint (s, "n-streams", &n));
  fail_unless_equals_int (n, 2);
  std::set<guint> ports;
  for (guint i = 0; i < 2; i++) {
    std::string field = "stream-" + std::to_string (i), pad = "src_" + std::to_string (i);
    const GstStructure *st = gst_value_get_structure (gst_structure_get_value (s, field.c_str ()));
    guint rtp = 0, rtcp = 0;
    gst_structure_get_uint (st, "rtp-port", &rtp);
    gst_structure_get_uint (st, "rtcp-port", &rtcp);
    fail_unless_equals_int (pad_uint (pipeline, pad.c_str (), "rtp-port"), rtp);
    fail_unless_equals_int (pad_uint (pipeline, pad.c_str (), "rtcp-port"), rtcp);
    fail_unless_equals_int (rtcp, rtp + 1);
    GstStructurePtr stats (stream_stats (pipeline, i));
    guint stat_port = 0;
    gst_structure_get_uint (stats.get (), "rtp-port", &stat_port);
    fail_unless_equals_int (stat_port, rtp);
    ports.insert (rtp);
  }
  fail_unless_equals_int (ports.size (), 2);
  GstObjectPtr<GstPad> audio (gst_element_get_static_pad (child (pipeline, "src"), "src_1"));
  gchar *media = nullptr;
  g_object_get (audio.get (), "media", &media, nullptr);
  fail_unless_equals_string (media, "audio");
  g_free (media);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_silence_and_its_end_are_told)
{
  GstElement *pipeline = launch (receiver (random_range (4), "timeout=300000000"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  guint port = uint_property (src, "rtp-port");
  /* Nothing since the start. */
  GstMessagePtr silent = element_message (pipeline, "hostnetrtp-timeout");
  fail_unless (silent != nullptr, "no hostnetrtp-timeout for a stream that never sent");
  const GstStructure *s = gst_message_get_structure (silent.get ());
  guint stream = 99, rtp = 0, rtcp = 0;
  guint64 silent_for = 0;
  gst_structure_get_uint (s, "stream", &stream);
  gst_structure_get_uint (s, "rtp-port", &rtp);
  gst_structure_get_uint (s, "rtcp-port", &rtcp);
  gst_structure_get_uint64 (s, "silent-for", &silent_for);
  fail_unless_equals_int (stream, 0);
  fail_unless_equals_int (rtp, port);
  fail_unless_equals_int (rtcp, port + 1);
  fail_unless (silent_for >= 300 * GST_MSECOND);
  /* Data is back. */
  Sender camera;
  camera.send_rtp (port, 0x7171, 3);
  fail_unless (element_message (pipeline, "hostnetrtp-resumed") != nullptr);
  /* And gone again: told once per silence. */
  GstMessagePtr again = element_message (pipeline, "hostnetrtp-timeout");
  fail_unless (again != nullptr);
  fail_unless (element_message (pipeline, "hostnetrtp-timeout", 700 * GST_MSECOND) == nullptr,
      "a silence was told twice");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_stats_count_packets_loss_and_duplicates)
{
  GstElement *pipeline = launch (receiver (random_range (4)));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  guint port = uint_property (child (pipeline, "src"), "rtp-port");
  Sender camera;
  auto send = [&] (guint16 seq) { camera.send (camera.rtp.get (), port, Sender::rtp_packet (0x57A7, seq, seq * 90u, 96)); };
  for (guint16 seq = 1000; seq <= 1009; seq++)
    send (seq);
  for (guint16 seq = 1012; seq <= 1019; seq++) {  /* 1010 and 1011 lost */
    send (seq);
    if (seq == 1015)
      send (1015);  /* a duplicate */
  }
  GstElement *sink = child (pipeline, "sink");
  bool last = false;
  while (!last) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
    fail_unless (sample != nullptr, "packet 1019 never came");
    last = seq_of (gst_sample_get_buffer (sample)) == 1019;
    gst_sample_unref (sample);
  }
  GstStructurePtr stats (stream_stats (pipeline, 0));
  fail_unless_equals_int (stat_u64 (stats.get (), "packets-received"), 19);
  fail_unless_equals_int (stat_u64 (stats.get (), "bytes-received"), 19 * 200);
  fail_unless_equals_int (stat_u64 (stats.get (), "packets-lost"), 2);
  fail_unless_equals_int (stat_u64 (stats.get (), "duplicates"), 1);
  guint ssrc = 0;
  gst_structure_get_uint (stats.get (), "ssrc", &ssrc);
  fail_unless_equals_int (ssrc, 0x57A7);
  std::string sender = "127.0.0.1:" + std::to_string (Sender::local_port (camera.rtp.get ()));
  fail_unless_equals_string (gst_structure_get_string (stats.get (), "sender"), sender.c_str ());
  /* The pad gives the same. */
  GstObjectPtr<GstPad> pad (gst_element_get_static_pad (child (pipeline, "src"), "src_0"));
  GstStructure *pad_stats = nullptr;
  g_object_get (pad.get (), "stats", &pad_stats, nullptr);
  fail_unless_equals_int (stat_u64 (pad_stats, "packets-received"), 19);
  gst_structure_free (pad_stats);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_idle_stream_does_not_hold_back_the_others)
{
  /* Default sinks: async and synchronised. The camera sends video only. */
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 port-range=" + random_range (8) +
      " " + kVideoAudio + " src.src_0 ! fakesink name=video src.src_1 ! fakesink name=audio");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  guint port = uint_property (child (pipeline, "src"), "rtp-port");
  Sender camera;
  GstState state = GST_STATE_VOID_PENDING, pending = GST_STATE_VOID_PENDING;
  GstStateChangeReturn ret = GST_STATE_CHANGE_ASYNC;
  for (int i = 0; i < 100 && !(ret == GST_STATE_CHANGE_SUCCESS && state == GST_STATE_PLAYING); i++) {
    camera.send_rtp (port, 0x71DE0, 2);
    ret = gst_element_get_state (pipeline, &state, &pending, 50 * GST_MSECOND);
  }
  fail_unless (ret == GST_STATE_CHANGE_SUCCESS && state == GST_STATE_PLAYING,
      "the pipeline is %s pending %s while only the audio is silent", gst_element_state_get_name (state),
      gst_element_state_get_name (pending));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Runs @change on another thread; false if it has not returned in @seconds. */
template <typename F>
static bool
returns_within (F change, int seconds)
{
  GMutex lock;
  GCond done_cond;
  bool done = false;
  g_mutex_init (&lock);
  g_cond_init (&done_cond);
  std::thread worker ([&] {
    change ();
    g_mutex_lock (&lock);
    done = true;
    g_cond_signal (&done_cond);
    g_mutex_unlock (&lock);
  });
  const gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;
  g_mutex_lock (&lock);
  while (!done && g_cond_wait_until (&done_cond, &lock, end))
    ;
  const bool returned = done;
  g_mutex_unlock (&lock);
  if (!returned) {
    worker.detach ();  /* a deadlock: the test fails, the process ends */
    return false;
  }
  worker.join ();
  g_mutex_clear (&lock);
  g_cond_clear (&done_cond);
  return true;
}

GST_START_TEST (test_pause_while_an_idle_stream_waits_in_its_sink)
{
  /* A long latency: the GAP that starts the silent audio waits in its sink.
   * Pausing then must not wait for it. */
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=3000 port-range=" + random_range (8) +
      " " + kVideoAudio + " src.src_0 ! fakesink name=video src.src_1 ! fakesink name=audio");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  guint port = uint_property (child (pipeline, "src"), "rtp-port");
  Sender camera;
  /* Wait until the audio sink has its GAP (it prerolls on it). */
  GstObjectPtr<GstPad> audio_sink (gst_element_get_static_pad (child (pipeline, "audio"), "sink"));
  bool gap_seen = false;
  for (int i = 0; i < 100 && !gap_seen; i++) {
    camera.send_rtp (port, 0x71DE0, 2);
    GstEvent *gap = gst_pad_get_sticky_event (audio_sink.get (), GST_EVENT_SEGMENT, 0);
    gap_seen = gap != nullptr;
    if (gap)
      gst_event_unref (gap);
    if (!gap_seen)
      g_usleep (50000);  /* nothing to wait on: the GAP leaves no message */
  }
  fail_unless (gap_seen, "the idle audio stream never got its GAP");
  fail_unless (returns_within ([&] { gst_element_set_state (pipeline, GST_STATE_PAUSED); }, 10),
      "PLAYING->PAUSED hung while a GAP waited in its sink");
  fail_unless (returns_within ([&] { gst_element_set_state (pipeline, GST_STATE_NULL); }, 10),
      "PAUSED->NULL hung");
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_eos_reaches_the_sinks)
{
  for (bool idle_audio : {false, true}) {
    GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 port-range=" + random_range (8) +
        " " + kVideoAudio + " src.src_0 ! fakesink name=video async=false src.src_1 ! fakesink async=false");
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    GstElement *src = child (pipeline, "src");
    guint video = uint_property (src, "rtp-port");
    GstObjectPtr<GstPad> audio_pad (gst_element_get_static_pad (src, "src_1"));
    guint audio = pad_uint (pipeline, "src_1", "rtp-port");
    Sender camera;
    camera.send_rtp (video, 0x71DE0, 5);
    if (idle_audio) {  /* the audio gets its GAP: wait for it on src_1 */
      for (int i = 0; i < 100; i++) {
        GstEvent *segment = gst_pad_get_sticky_event (audio_pad.get (), GST_EVENT_SEGMENT, 0);
        if (segment) {
          gst_event_unref (segment);
          break;
        }
        camera.send_rtp (video, 0x71DE0, 1);
        g_usleep (50000);
      }
    } else {
      camera.send_rtp (audio, 0xA0D10, 5, 0);
    }
    gst_element_send_event (pipeline, gst_event_new_eos ());
    GstMessagePtr eos = next_message (pipeline, GST_MESSAGE_EOS);
    fail_unless (eos != nullptr, "EOS never came out of the element (%s)",
        idle_audio ? "after an idle stream's GAP" : "both streams sending");
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
}
GST_END_TEST;

GST_START_TEST (test_streams_are_one_group)
{
  GstElement *pipeline = launch ("hostnetrtpsrc name=src latency=0 sender-timeout=100 port-range=" +
      random_range (8) + " " + kVideoAudio + " src.src_0 ! appsink name=video sync=false "
      "src.src_1 ! appsink name=audio sync=false");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  guint video = uint_property (src, "rtp-port"), audio = pad_uint (pipeline, "src_1", "rtp-port");
  Sender camera;
  camera.send_rtp (video, 0x71DE0, 5);
  camera.send_rtp (audio, 0xA0D10, 5, 0);
  fail_unless (received_ssrc (child (pipeline, "video"), 0x71DE0));
  fail_unless (received_ssrc (child (pipeline, "audio"), 0xA0D10));
  auto start_of = [&] (const char *pad_name, std::string &id) {
    GstObjectPtr<GstPad> pad (gst_element_get_static_pad (src, pad_name));
    GstEvent *event = gst_pad_get_sticky_event (pad.get (), GST_EVENT_STREAM_START, 0);
    fail_unless (event != nullptr, "no stream-start on %s", pad_name);
    const gchar *stream_id = nullptr;
    guint group = 0;
    gst_event_parse_stream_start (event, &stream_id);
    fail_unless (gst_event_parse_group_id (event, &group), "%s: no group-id", pad_name);
    id = stream_id;
    gst_event_unref (event);
    return group;
  };
  std::string video_id, audio_id;
  guint video_group = start_of ("src_0", video_id), audio_group = start_of ("src_1", audio_id);
  fail_unless_equals_int (video_group, audio_group);
  fail_if (video_id == audio_id, "two streams, one stream-id");
  /* A camera restart (new SSRC, new jitterbuffer): the same stream goes on. */
  Sender rebooted;
  bool taken = false;
  for (int i = 0; i < 100 && !taken; i++) {
    rebooted.send_rtp (video, 0x71DE1, 1);
    GstMessagePtr m = element_message (pipeline, "hostnetrtp-sender-changed", 20 * GST_MSECOND);
    guint ssrc = 0;
    if (m)
      gst_structure_get_uint (gst_message_get_structure (m.get ()), "ssrc", &ssrc);
    taken = ssrc == 0x71DE1;
  }
  rebooted.send_rtp (video, 0x71DE1, 3);
  fail_unless (received_ssrc (child (pipeline, "video"), 0x71DE1));
  std::string after_restart;
  start_of ("src_0", after_restart);
  fail_unless (after_restart == video_id, "the stream-id changed with the SSRC: %s -> %s",
      video_id.c_str (), after_restart.c_str ());
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_stats_and_live_properties_while_restarting)
{
  /* Readers of stats and setters of live properties run while the element
   * starts and stops: nothing they touch may be gone (run under ASan too). */
  GstElement *pipeline = launch (receiver (random_range (8)));
  GstElement *src = child (pipeline, "src");
  std::atomic<bool> stop {false};
  std::atomic<guint64> reads {0};
  std::thread reader ([&] {
    for (guint i = 0; !stop; i++) {
      GstStructure *stats = nullptr;
      g_object_get (src, "stats", &stats, nullptr);
      gst_structure_free (stats);
      GstObjectPtr<GstPad> pad (gst_element_get_static_pad (src, "src_0"));
      if (pad) {
        g_object_get (pad.get (), "stats", &stats, nullptr);
        if (stats)
          gst_structure_free (stats);
      }
      g_object_set (src, "latency", 100u + i % 50, "allowed-senders", i % 2 ? "127.0.0.1" : "",
          "sender-timeout", 1000u + i % 7, nullptr);
      reads++;
      if (under_valgrind ())
        g_usleep (1000);  /* memcheck runs one thread at a time: let the state changes run */
    }
  });
  Sender camera;
  const int cycles = repeat (100);
  for (int cycle = 0; cycle < cycles; cycle++) {
    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    camera.send_rtp (uint_property (src, "rtp-port"), 0x57A7, 3);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  }
  stop = true;
  reader.join ();
  fail_unless (reads > guint64 (cycles), "the reader barely ran (%" G_GUINT64_FORMAT ")", guint64 (reads));
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_latency_and_caps_queries)
{
  GstElement *pipeline = launch (receiver (random_range (4)) + "");
  g_object_set (child (pipeline, "src"), "latency", 300u, nullptr);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstObjectPtr<GstPad> pad (gst_element_get_static_pad (child (pipeline, "src"), "src_0"));
  /* Before any data: the stream's caps, for downstream to plan with. */
  GstCaps *caps = gst_pad_query_caps (pad.get (), nullptr);
  const GstStructure *st = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (st, "application/x-rtp"));
  fail_unless_equals_string (gst_structure_get_string (st, "encoding-name"), "H264");
  gst_caps_unref (caps);
  Sender camera;
  camera.send_rtp (uint_property (child (pipeline, "src"), "rtp-port"), 0x1A7, 3);
  fail_unless (received_ssrc (child (pipeline, "sink"), 0x1A7));
  /* Live, with the jitterbuffer's latency: sinks render on time. */
  GstQuery *query = gst_query_new_latency ();
  fail_unless (gst_pad_query (pad.get (), query), "the latency query failed on src_0");
  gboolean live = FALSE;
  GstClockTime min = 0;
  gst_query_parse_latency (query, &live, &min, nullptr);
  fail_unless (live);
  fail_unless (min >= 300 * GST_MSECOND, "min latency %" GST_TIME_FORMAT, GST_TIME_ARGS (min));
  gst_query_unref (query);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

static Suite *
datapath_suite (void)
{
  Suite *s = suite_create ("datapath");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_receives_rtp);
  tcase_add_test (tc, test_both_receive_paths_take_any_datagram_size);
  tcase_add_test (tc, test_ssrc_squatting_before_the_camera_starts);
  tcase_add_test (tc, test_kernel_drops_are_counted_and_told);
  tcase_add_test (tc, test_camera_restart_takes_over_injection_does_not);
  tcase_add_test (tc, test_payload_type_mismatch_still_flows);
  tcase_add_test (tc, test_static_payload_type_keeps_its_encoding);
  tcase_add_test (tc, test_video_and_audio_streams);
  tcase_add_test (tc, test_unlinked_stream_does_not_stop_others);
  tcase_add_test (tc, test_symmetric_rtcp);
  tcase_add_test (tc, test_rtcp_mux);
  tcase_add_test (tc, test_rtcp_mux_after_ready_and_back);
  tcase_add_test (tc, test_stop_joins_the_idle_gap);
  tcase_add_test (tc, test_ipv6_receives_and_reports);
  tcase_add_test (tc, test_dual_stack_takes_ipv4_senders);
  tcase_add_test (tc, test_restart_then_receive);
  tcase_add_test (tc, test_camera_restarts_do_not_grow_the_pipeline);
  tcase_add_test (tc, test_every_stream_tells_its_ports);
  tcase_add_test (tc, test_silence_and_its_end_are_told);
  tcase_add_test (tc, test_stats_count_packets_loss_and_duplicates);
  tcase_add_test (tc, test_idle_stream_does_not_hold_back_the_others);
  tcase_add_test (tc, test_pause_while_an_idle_stream_waits_in_its_sink);
  tcase_add_test (tc, test_eos_reaches_the_sinks);
  tcase_add_test (tc, test_streams_are_one_group);
  tcase_add_test (tc, test_stats_and_live_properties_while_restarting);
  tcase_add_test (tc, test_latency_and_caps_queries);
  return s;
}

GST_CHECK_MAIN (datapath);
