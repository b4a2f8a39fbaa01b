/* hostnetrtp — hostnetrtpsrc element suite: real sockets, real RTP through
 * real gst-plugins-good elements, random port ranges. */
#include "element-util.h"

#include <glib/gstdio.h>
#include <set>

using namespace testutil;

static std::string receiver (const std::string &range, const std::string &extra = "")
{
  return "hostnetrtpsrc name=src port-range=" + range + " encoding-name=H264 latency=0 " + extra +
      " ! appsink name=sink sync=false";
}

GST_START_TEST (test_ports_from_ready)
{
  unsigned base;
  std::string range = random_range (8, &base);
  GstElement *pipeline = launch (receiver (range));
  GstElement *src = child (pipeline, "src");
  int notified = 0;
  g_signal_connect_swapped (src, "notify::rtp-port", G_CALLBACK (+[] (int *n) noexcept { (*n)++; }), &notified);
  fail_unless_equals_int (uint_property (src, "rtp-port"), 0);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  guint rtp = uint_property (src, "rtp-port"), rtcp = uint_property (src, "rtcp-port");
  fail_unless (rtp % 2 == 0 && rtp >= base && rtp < base + 16, "rtp-port %u", rtp);
  fail_unless_equals_int (rtcp, rtp + 1);
  fail_unless_equals_int (notified, 1);

  /* The kernel's view: both bound on the wildcard, nothing on loopback. */
  int found = 0;
  for (auto &[address, port] : bound_udp_sockets ()) {
    fail_if (address.rfind ("127.", 0) == 0, "a socket is bound to %s", address.c_str ());
    if (port == rtp || port == rtcp) {
      fail_unless (address == "0.0.0.0");
      found++;
    }
  }
  fail_unless_equals_int (found, 2);

  GstMessagePtr msg = allocation_message (pipeline);
  fail_unless (msg != nullptr);
  const GstStructure *s = gst_message_get_structure (msg.get ());
  guint announced = 0;
  gst_structure_get_uint (s, "rtp-port", &announced);
  fail_unless_equals_int (announced, rtp);
  const char *advertised = gst_structure_get_string (s, "advertise-address");
  fail_unless (advertised && g_str_has_prefix (advertised, "127.") == FALSE);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  fail_unless_equals_int (uint_property (src, "rtp-port"), 0);
  fail_unless_equals_int (notified, 2);
  fail_unless (port_is_free (rtp) && port_is_free (rtcp));
  gst_object_unref (pipeline);
}
GST_END_TEST;

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

GST_START_TEST (test_new_ssrc_keeps_pad)
{
  GstElement *pipeline = launch (receiver (random_range (8)));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  guint port = uint_property (src, "rtp-port");
  GstElement *sink = child (pipeline, "sink");
  Sender camera;
  camera.send_rtp (port, 0xAAAA0001);
  fail_unless (received_ssrc (sink, 0xAAAA0001));
  /* The camera reboots: new SSRC, new sequence numbers, same pad. */
  Sender rebooted;
  rebooted.seq = 7;
  rebooted.send_rtp (port, 0xBBBB0002);
  fail_unless (received_ssrc (sink, 0xBBBB0002), "the new SSRC never reached src_0");
  fail_unless_equals_int (GST_ELEMENT (src)->numsrcpads, 1);
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

GST_START_TEST (test_two_elements_one_range)
{
  unsigned base;
  std::string range = random_range (2, &base);
  GstElement *pipeline = launch (
      "hostnetrtpsrc name=a port-range=" + range + " encoding-name=H264 ! fakesink "
      "hostnetrtpsrc name=b port-range=" + range + " encoding-name=H264 ! fakesink");
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  guint a = uint_property (child (pipeline, "a"), "rtp-port");
  guint b = uint_property (child (pipeline, "b"), "rtp-port");
  fail_unless (a != b && (a == base || a == base + 2) && (b == base || b == base + 2), "%u %u", a, b);

  /* A third on the same two-pair range finds nothing and says so. */
  GstElement *third = launch ("hostnetrtpsrc port-range=" + range + " encoding-name=H264 ! fakesink");
  fail_unless_equals_int (gst_element_set_state (third, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  std::string error = error_text (third);
  fail_unless (error.find ("no free even/odd port pair left in port-range " + range) != std::string::npos,
      "%s", error.c_str ());
  fail_unless (error.find ("tried all 2 pairs") != std::string::npos, "%s", error.c_str ());
  gst_element_set_state (third, GST_STATE_NULL);
  gst_object_unref (third);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_reuse_squatter_is_never_shared)
{
  unsigned base;
  std::string range = random_range (2, &base);
  int squat = bind_udp ("0.0.0.0", base, true);  /* as udpsrc binds by default */
  fail_unless (squat >= 0);
  for (int i = 0; i < 8; i++) {  /* whatever the start point, it steps over */
    GstElement *pipeline = launch (receiver (range));
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
    fail_unless_equals_int (uint_property (child (pipeline, "src"), "rtp-port"), base + 2);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
  close (squat);
}
GST_END_TEST;

GST_START_TEST (test_exhausted_range_fails_clean)
{
  unsigned base;
  std::string range = random_range (2, &base);
  Squatter squatter (base, base + 3);
  unsigned before = open_descriptors ();
  GstElement *pipeline = launch (receiver (range));
  unsigned with_pipeline = open_descriptors ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::string error = error_text (pipeline);
  fail_unless (error.find (range) != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("tried all 2 pairs, 2 in use") != std::string::npos, "%s", error.c_str ());
  fail_unless_equals_int (open_descriptors (), with_pipeline);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  fail_unless (open_descriptors () <= before + 2);  /* the bus' wakeup pipe may linger */
}
GST_END_TEST;

GST_START_TEST (test_loopback_rewritten)
{
  GstElement *pipeline = launch (receiver (random_range (4), "address=127.0.0.1"));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  GstMessagePtr warning = next_message (pipeline, GST_MESSAGE_WARNING);
  fail_unless (warning != nullptr, "no warning for a rewritten loopback address");
  GError *err = nullptr;
  gst_message_parse_warning (warning.get (), &err, nullptr);
  fail_unless (strstr (err->message, "'127.0.0.1'") && strstr (err->message, "wildcard"), "%s", err->message);
  g_error_free (err);
  guint rtp = uint_property (child (pipeline, "src"), "rtp-port");
  for (auto &[address, port] : bound_udp_sockets ())
    if (port == rtp || port == rtp + 1)
      fail_unless (address == "0.0.0.0", "bound to %s", address.c_str ());
  GstMessagePtr msg = allocation_message (pipeline);
  const GstStructure *s = gst_message_get_structure (msg.get ());
  fail_unless_equals_string (gst_structure_get_string (s, "address"), "0.0.0.0");
  fail_if (g_str_has_prefix (gst_structure_get_string (s, "advertise-address"), "127."));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_loopback_refused_or_allowed)
{
  std::string range = random_range (4);
  GstElement *pipeline = launch (receiver (range, "address=localhost loopback-policy=error"));
  unsigned before = open_descriptors ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  std::string error = error_text (pipeline);
  fail_unless (error.find ("address 'localhost' is a loopback address") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("loopback-policy=allow") != std::string::npos);
  fail_unless_equals_int (open_descriptors (), before);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  pipeline = launch (receiver (range, "address=127.0.0.1 loopback-policy=allow"));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  guint rtp = uint_property (child (pipeline, "src"), "rtp-port");
  int on_loopback = 0;
  for (auto &[address, port] : bound_udp_sockets ())
    on_loopback += (port == rtp || port == rtp + 1) && address == "127.0.0.1";
  fail_unless_equals_int (on_loopback, 2);
  gchar *advertised = nullptr;
  g_object_get (child (pipeline, "src"), "advertise-address", &advertised, nullptr);
  fail_unless_equals_string (advertised, "127.0.0.1");
  g_free (advertised);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_bad_input_is_a_clear_error)
{
  unsigned base;
  random_range (2, &base);
  std::string odd = std::to_string (base + 1);
  struct { std::string properties; std::string expected; } cases[] = {
    {"port-range=abc encoding-name=H264", "port-range 'abc' is malformed"},
    {"port-range=6000-5000 encoding-name=H264", "port-range '6000-5000' is inverted"},
    {"port-range=70000 encoding-name=H264", "port-range '70000' is malformed"},
    {"port-range=" + odd + " encoding-name=H264", "port-range " + odd + " is an odd port"},
    {"port-range=" + odd + "-" + odd + " encoding-name=H264", "is an odd port"},
    {"encoding-name=H264 address=not/an/address", "address 'not/an/address' is neither"},
    {"encoding-name=WHATEVER", "encoding-name 'WHATEVER' is not one"},
    {"caps=video/x-raw", "caps structure 0 'video/x-raw' is not RTP"},
    {"", "no stream is described"},
    {"encoding-name=H264 advertise-address=nowhere", "advertise-address 'nowhere' is not an IP"},
    {"encoding-name=H264 sdp-file=/nonexistent-dir/x.sdp", "cannot write sdp-file '/nonexistent-dir/x.sdp'"},
    {"encoding-name=H264 address=239.1.1.1", "needs port-range"},
  };
  /* GLib's resolver keeps two descriptors for the process's lifetime once
   * used: warm it up so the count below measures only the element. */
  GObjectPtr<GResolver> resolver (g_resolver_get_default ());
  g_list_free_full (g_resolver_lookup_by_name (resolver.get (), "not/an/address", nullptr, nullptr),
      g_object_unref);
  for (auto &c : cases) {
    GstElement *pipeline = launch ("hostnetrtpsrc name=src " + c.properties + " ! fakesink");
    unsigned before = open_descriptors ();
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
    std::string error = error_text (pipeline);
    fail_unless (error.find (c.expected) != std::string::npos, "[%s] gave: %s",
        c.properties.c_str (), error.c_str ());
    fail_unless (open_descriptors () == before, "[%s] leaked %d descriptors", c.properties.c_str (),
        (int) (open_descriptors () - before));
    fail_unless_equals_int (GST_ELEMENT (child (pipeline, "src"))->numsrcpads, 0);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
}
GST_END_TEST;

GST_START_TEST (test_capped_receive_buffer_warns)
{
  /* No kernel grants 2 GiB, not even to CAP_NET_ADMIN: the cap must be told. */
  GstElement *pipeline = launch (receiver (random_range (4), "buffer-size=2147483647"));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  GstMessagePtr warning = next_message (pipeline, GST_MESSAGE_WARNING);
  fail_unless (warning != nullptr, "no warning for a capped receive buffer");
  GError *err = nullptr;
  gst_message_parse_warning (warning.get (), &err, nullptr);
  fail_unless (strstr (err->message, "net.core.rmem_max=2147483647") != nullptr, "%s", err->message);
  g_error_free (err);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);

  /* The default is granted here (root, or rmem_max large enough): no warning. */
  pipeline = launch (receiver (random_range (4)));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  GstMessagePtr none (gst_bus_pop_filtered (bus.get (), GST_MESSAGE_WARNING));
  if (geteuid () == 0)
    fail_unless (none == nullptr, "the default buffer-size was capped as root");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

static const char *kVideoAudio =
    "caps=\"application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;"
    "application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU\"";

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

GST_START_TEST (test_sdp_file)
{
  GCharPtr dir (g_dir_make_tmp ("hostnetrtp-XXXXXX", nullptr));
  GstElement *pipeline = launch (receiver (random_range (8),
      "sdp-file=" + std::string (dir.get ()) + "/camera-{rtp-port}.sdp"));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  GstElement *src = child (pipeline, "src");
  std::string path = std::string (dir.get ()) + "/camera-" +
      std::to_string (uint_property (src, "rtp-port")) + ".sdp";
  gchar *contents = nullptr;
  gsize size = 0;
  fail_unless (g_file_get_contents (path.c_str (), &contents, &size, nullptr));
  GstSDPMessage *sdp = nullptr;
  gst_sdp_message_new (&sdp);
  fail_unless (gst_sdp_message_parse_buffer ((guint8 *) contents, size, sdp) == GST_SDP_OK);
  gchar *advertised = nullptr;
  g_object_get (src, "advertise-address", &advertised, nullptr);
  fail_unless (advertised && !g_str_has_prefix (advertised, "127."));
  fail_unless_equals_string (gst_sdp_message_get_connection (sdp)->address, advertised);
  const GstSDPMedia *media = gst_sdp_message_get_media (sdp, 0);
  fail_unless_equals_int (gst_sdp_media_get_port (media), uint_property (src, "rtp-port"));
  fail_unless_equals_int (atoi (gst_sdp_media_get_attribute_val (media, "rtcp")), uint_property (src, "rtcp-port"));
  fail_unless_equals_string (gst_sdp_media_get_attribute_val (media, "rtpmap"), "96 H264/90000");
  gst_sdp_message_free (sdp);
  g_free (contents);
  g_free (advertised);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  fail_if (g_file_test (path.c_str (), G_FILE_TEST_EXISTS), "the SDP outlived the element");
  g_rmdir (dir.get ());
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_hundred_cycles_leak_nothing)
{
  unsigned base;
  std::string range = random_range (16, &base);
  GstElement *pipeline = launch (receiver (range));
  GstElement *src = child (pipeline, "src");
  /* One warm-up cycle: GStreamer's own one-time descriptors (bus pipe, ...). */
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  unsigned before = open_descriptors ();
  std::set<guint> used;
  for (int i = 0; i < 100; i++) {
    fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE);
    /* Live: the sink waits for data, but the source itself is PLAYING. */
    GstState state;
    gst_element_get_state (src, &state, nullptr, 5 * GST_SECOND);
    fail_unless_equals_int (state, GST_STATE_PLAYING);
    guint rtp = uint_property (src, "rtp-port");
    fail_unless (rtp >= base && rtp < base + 32);
    used.insert (rtp);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    fail_unless (port_is_free (rtp) && port_is_free (rtp + 1), "cycle %d kept %u", i, rtp);
  }
  fail_unless_equals_int (open_descriptors (), before);
  fail_unless (GST_ELEMENT (src)->numsrcpads == 0);
  fail_unless (used.size () > 1, "every start took the same pair");
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* rtpbin's first report comes after its minimum interval; make it short. */
static void
quicken_rtcp (GstElement *pipeline)
{
  GstElement *src = child (pipeline, "src");
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (src));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&item));
    if (g_str_has_prefix (GST_OBJECT_NAME (e), "rtpbin")) {
      GObject *session = nullptr;
      g_signal_emit_by_name (e, "get-internal-session", 0u, &session);
      fail_unless (session != nullptr);
      g_object_set (session, "rtcp-min-interval", (guint64) (100 * GST_MSECOND), nullptr);
      g_object_unref (session);
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

/* Waits for an RTCP receiver report on @socket; returns the port it came from. */
static guint
wait_for_receiver_report (GSocket *socket)
{
  for (int tries = 0; tries < 20; tries++) {
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

GST_START_TEST (test_symmetric_rtcp)
{
  GstElement *pipeline = launch (receiver (random_range (8)));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  auto sockets_before = bound_udp_sockets ().size ();
  quicken_rtcp (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *src = child (pipeline, "src");
  Sender camera;
  camera.send_rtp (uint_property (src, "rtp-port"), 0xCA3E7A);
  camera.send_sender_report (uint_property (src, "rtcp-port"), 0xCA3E7A);
  guint from = wait_for_receiver_report (camera.rtcp.get ());
  fail_unless_equals_int (from, uint_property (src, "rtcp-port"));
  /* Reports left from the RTCP socket: no other socket was opened. */
  fail_unless_equals_int (bound_udp_sockets ().size (), sockets_before + 2);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
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
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

static Suite *
hostnetrtpsrc_suite (void)
{
  Suite *s = suite_create ("hostnetrtpsrc");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_ports_from_ready);
  tcase_add_test (tc, test_receives_rtp);
  tcase_add_test (tc, test_new_ssrc_keeps_pad);
  tcase_add_test (tc, test_payload_type_mismatch_still_flows);
  tcase_add_test (tc, test_two_elements_one_range);
  tcase_add_test (tc, test_reuse_squatter_is_never_shared);
  tcase_add_test (tc, test_exhausted_range_fails_clean);
  tcase_add_test (tc, test_loopback_rewritten);
  tcase_add_test (tc, test_loopback_refused_or_allowed);
  tcase_add_test (tc, test_bad_input_is_a_clear_error);
  tcase_add_test (tc, test_capped_receive_buffer_warns);
  tcase_add_test (tc, test_video_and_audio_streams);
  tcase_add_test (tc, test_unlinked_stream_does_not_stop_others);
  tcase_add_test (tc, test_sdp_file);
  tcase_add_test (tc, test_hundred_cycles_leak_nothing);
  tcase_add_test (tc, test_symmetric_rtcp);
  tcase_add_test (tc, test_rtcp_mux);
  return s;
}

GST_CHECK_MAIN (hostnetrtpsrc);
