/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — hostnetrtpsrc element suite, allocation and announcement:
 * real sockets, random port ranges; what the element tells and refuses.
 * (The data path is in datapath.cpp.) */
#include "element-util.h"

#include <glib/gstdio.h>
#include <set>

using namespace testutil;


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
  /* Every stream also as a structure field: readable from any language. */
  const GValue *stream0 = gst_structure_get_value (s, "stream-0");
  fail_unless (stream0 && G_VALUE_HOLDS (stream0, GST_TYPE_STRUCTURE));
  gst_structure_get_uint (gst_value_get_structure (stream0), "rtcp-port", &announced);
  fail_unless_equals_int (announced, rtcp);
  /* ... and on the stream's pad. */
  fail_unless_equals_int (pad_uint (pipeline, "src_0", "rtp-port"), rtp);
  fail_unless_equals_int (pad_uint (pipeline, "src_0", "rtcp-port"), rtcp);
  const char *advertised = gst_structure_get_string (s, "advertise-address");
  if (has_non_loopback_address ())
    fail_unless (advertised && *advertised && !g_str_has_prefix (advertised, "127."), "%s", advertised);
  else
    fail_unless (advertised && !g_str_has_prefix (advertised, "127."), "advertised loopback");

  gst_element_set_state (pipeline, GST_STATE_NULL);
  fail_unless_equals_int (uint_property (src, "rtp-port"), 0);
  fail_unless_equals_int (pad_uint (pipeline, "src_0", "rtp-port"), 0);
  fail_unless_equals_int (notified, 2);
  fail_unless (port_is_free (rtp) && port_is_free (rtcp));
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
  std::string odd = std::to_string (base + 1), even = std::to_string (base);
  struct { std::string properties; std::string expected; } cases[] = {
    {"port-range=abc encoding-name=H264", "port-range 'abc' is malformed"},
    {"port-range=6000-5000 encoding-name=H264", "port-range '6000-5000' is inverted"},
    {"port-range=70000 encoding-name=H264", "port-range '70000' is malformed"},
    {"port-range=" + odd + " encoding-name=H264", "port-range '" + odd + "' is an odd port"},
    {"port-range=" + odd + "-" + odd + " encoding-name=H264", "holds no complete even/odd port pair"},
    {"port-range=" + even + "-" + even + " encoding-name=H264", "or write " + even + " for the fixed pair"},
    {"encoding-name=H264 address=not/an/address", "address 'not/an/address' is neither"},
    {"encoding-name=WHATEVER", "encoding-name 'WHATEVER' is not one"},
    {"caps=video/x-raw", "caps structure 0 'video/x-raw' is not RTP"},
    {"", "no stream is described"},
    {"encoding-name=H264 advertise-address=nowhere", "advertise-address 'nowhere' is not an IP"},
    {"encoding-name=H264 sdp-file=/nonexistent-dir/x.sdp", "cannot write sdp-file '/nonexistent-dir/x.sdp'"},
    {"encoding-name=H264 address=239.1.1.1", "needs port-range"},
    {"encoding-name=H264 address=239.1.1.1 port-range=" + even + " multicast-iface=nosuch0",
        "multicast-iface 'nosuch0' is not an interface of this host"},
    {"encoding-name=H264 allowed-senders=10.0.0.0/33", "allowed-senders item '10.0.0.0/33'"},
    {"encoding-name=H264 allowed-senders=camera-7", "allowed-senders item 'camera-7'"},
    {"encoding-name=H264 sdp-file=/tmp/{port}.sdp", "unknown placeholder '{port}'"},
    {"encoding-name=H264 advertise-address=2001:db8::5", "advertise-address '2001:db8::5' cannot be received"},
    {"encoding-name=H264 advertise-address=198.51.100.7 sdp-file=/tmp", "sdp-file '/tmp' is a folder"},
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
    std::string debug;
    std::string error = error_text (pipeline, &debug);
    fail_unless (error.find (c.expected) != std::string::npos, "[%s] gave: %s",
        c.properties.c_str (), error.c_str ());
    /* The debug location is where the problem was found, not the helper. */
    fail_unless ((debug.find ("gsthostnetrtpsrc.cpp") != std::string::npos ||
                     debug.find ("element-streams.cpp") != std::string::npos) &&
        debug.find ("post_") == std::string::npos && debug.find ("refuse") == std::string::npos,
        "[%s] was posted from: %s", c.properties.c_str (), debug.c_str ());
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

  /* The default 4 MiB: granted to root (SO_RCVBUFFORCE) or under a large
   * enough net.core.rmem_max, and then no warning; otherwise the warning
   * names the sysctl. Either way something is asserted. */
  pipeline = launch (receiver (random_range (4)));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  guint64 rmem_max = 0;
  gchar *text = nullptr;
  if (g_file_get_contents ("/proc/sys/net/core/rmem_max", &text, nullptr, nullptr)) {
    rmem_max = g_ascii_strtoull (text, nullptr, 10);
    g_free (text);
  }
  const bool granted = geteuid () == 0 || rmem_max >= 4 * 1024 * 1024;
  std::string capped = warning_with (pipeline, "receive buffer", granted ? 0 : 10 * GST_SECOND);
  if (granted)
    fail_unless (capped.empty (), "the default buffer-size was capped: %s", capped.c_str ());
  else
    fail_unless (capped.find ("net.core.rmem_max=4194304") != std::string::npos, "%s", capped.c_str ());
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;





GST_START_TEST (test_sdp_file)
{
  GCharPtr dir (g_dir_make_tmp ("hostnetrtp-XXXXXX", nullptr));
  /* Without a non-loopback address nothing could be advertised: give one
   * (a documentation address: it is written, never sent to). */
  std::string advertise = has_non_loopback_address () ? "" : " advertise-address=198.51.100.7";
  GstElement *pipeline = launch (receiver (random_range (8),
      "sdp-file=" + std::string (dir.get ()) + "/camera-{rtp-port}.sdp" + advertise));
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
  /* It names its writer, so a reader can tell a stale file. */
  std::string writer = "pid=" + std::to_string (getpid ()) + " ";
  const char *written_by = gst_sdp_message_get_attribute_val (sdp, "x-hostnetrtp-writer");
  fail_unless (written_by && g_str_has_prefix (written_by, writer.c_str ()), "%s", written_by);
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
  gpointer first_pad = GST_ELEMENT (src)->srcpads->data;
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
  /* The same src_0 all along: what was linked to it stays linked. */
  fail_unless_equals_int (GST_ELEMENT (src)->numsrcpads, 1);
  fail_unless (GST_ELEMENT (src)->srcpads->data == first_pad);
  /* A restart takes its previous pair again: a camera pointed at it stays right. */
  fail_unless (used.size () == 1, "restarts moved between %zu pairs", used.size ());
  gst_object_unref (pipeline);
}
GST_END_TEST;


GST_START_TEST (test_shared_sdp_path_is_never_deleted_under_another)
{
  GCharPtr dir (g_dir_make_tmp ("hostnetrtp-XXXXXX", nullptr));
  std::string path = std::string (dir.get ()) + "/shared.sdp";
  std::string extra = "sdp-file=" + path + " advertise-address=198.51.100.7";
  /* Two elements of one process given one path: the second is refused. */
  GstElement *writer_a = launch (receiver (random_range (4), extra));
  GstElement *writer_b = launch (receiver (random_range (4), extra));
  fail_unless_equals_int (gst_element_set_state (writer_a, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (gst_element_set_state (writer_b, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  std::string error = error_text (writer_b);
  fail_unless (error.find ("is written by another hostnetrtpsrc of this process") != std::string::npos,
      "%s", error.c_str ());
  gst_element_set_state (writer_b, GST_STATE_NULL);
  /* Another writer replaces the file: stopping, the element leaves theirs. */
  std::string theirs = "v=0\r\ns=someone else\r\n";
  fail_unless (g_file_set_contents (path.c_str (), theirs.c_str (), -1, nullptr));
  gst_element_set_state (writer_a, GST_STATE_NULL);
  gchar *contents = nullptr;
  fail_unless (g_file_get_contents (path.c_str (), &contents, nullptr, nullptr),
      "the element deleted an SDP it did not write");
  fail_unless_equals_string (contents, theirs.c_str ());
  g_free (contents);
  unlink (path.c_str ());
  /* Released at NULL: the second element may have the path now. */
  fail_unless_equals_int (gst_element_set_state (writer_b, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (writer_b, GST_STATE_NULL);
  fail_if (g_file_test (path.c_str (), G_FILE_TEST_EXISTS), "the SDP outlived its writer");
  gst_object_unref (writer_a);
  gst_object_unref (writer_b);
  g_rmdir (dir.get ());
}
GST_END_TEST;

GST_START_TEST (test_start_time_properties_refused_while_running)
{
  unsigned base;
  std::string range = random_range (4, &base);
  GstElement *pipeline = launch (receiver (range));
  GstElement *src = child (pipeline, "src");
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  guint bound = uint_property (src, "rtp-port");

  /* A start-time property in READY: refused with a warning, the value in
   * force reads back. */
  unsigned other_base;
  std::string other = random_range (4, &other_base);
  g_object_set (src, "port-range", other.c_str (), nullptr);
  std::string warning = warning_with (pipeline, "port-range");
  fail_unless (warning.find ("cannot change while hostnetrtpsrc is in READY") != std::string::npos,
      "%s", warning.c_str ());
  fail_unless (warning.find ("set it in the NULL state") != std::string::npos, "%s", warning.c_str ());
  gchar *range_now = nullptr;
  g_object_get (src, "port-range", &range_now, nullptr);
  fail_unless_equals_string (range_now, range.c_str ());
  g_free (range_now);
  fail_unless_equals_int (uint_property (src, "rtp-port"), bound);
  g_object_set (src, "encoding-name", "H265", "rtcp-mux", TRUE, nullptr);
  fail_unless (!warning_with (pipeline, "encoding-name").empty ());
  gboolean mux = TRUE;
  g_object_get (src, "rtcp-mux", &mux, nullptr);
  fail_if (mux, "rtcp-mux changed in READY");

  /* sender-timeout below 100 ms would let two live senders flap: raised, said. */
  g_object_set (src, "sender-timeout", 5u, nullptr);
  warning = warning_with (pipeline, "sender-timeout=5");
  fail_unless (warning.find ("Using 100") != std::string::npos, "%s", warning.c_str ());
  fail_unless_equals_int (uint_property (src, "sender-timeout"), 100);

  /* latency applies live, to rtpbin (and from there every jitterbuffer),
   * through the element's control task. */
  g_object_set (src, "latency", 2000u, nullptr);
  fail_unless_equals_int (uint_property (src, "latency"), 2000);
  fail_unless (wait_for_uint (inner_rtpbin (pipeline), "latency", 2000), "rtpbin's latency stayed %u",
      uint_property (inner_rtpbin (pipeline), "latency"));
  guint latency = 0;

  /* In NULL it is taken, and the next start uses it. */
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_object_set (src, "port-range", other.c_str (), nullptr);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  guint now = uint_property (src, "rtp-port");
  fail_unless (now >= other_base && now < other_base + 8, "started on %u, not in %s", now, other.c_str ());
  g_object_get (inner_rtpbin (pipeline), "latency", &latency, nullptr);
  fail_unless_equals_int (latency, 2000);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_every_passed_over_address_is_named)
{
  /* The environment: a malformed and a loopback value are passed over and
   * named; an IPv6 value cannot be received on an IPv4 bind. */
  g_setenv ("HOSTNETRTP_ADVERTISE_ADDRESS", "127.0.0.1", TRUE);
  g_setenv ("HOST_IP", "garbage", TRUE);
  g_setenv ("POD_IP", "2001:db8::5", TRUE);
  GstElement *pipeline = launch (receiver (random_range (4)));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  std::string warning = warning_with (pipeline, "$HOST_IP");
  fail_unless (warning.find ("$HOSTNETRTP_ADVERTISE_ADDRESS='127.0.0.1' is a loopback address") != std::string::npos, "%s", warning.c_str ());
  fail_unless (warning.find ("$HOST_IP='garbage' is not an IP address") != std::string::npos, "%s", warning.c_str ());
  fail_unless (warning.find ("$POD_IP='2001:db8::5' cannot be received on 0.0.0.0") != std::string::npos, "%s", warning.c_str ());
  gchar *advertised = nullptr;
  g_object_get (child (pipeline, "src"), "advertise-address", &advertised, nullptr);
  fail_if (advertised && strchr (advertised, ':'), "an IPv4 bind advertises %s", advertised);
  g_free (advertised);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_unsetenv ("HOSTNETRTP_ADVERTISE_ADDRESS");
  g_unsetenv ("HOST_IP");
  g_unsetenv ("POD_IP");

  /* A configured loopback advertise-address is rewritten to what is really
   * advertised, and the warning says which. */
  g_setenv ("HOST_IP", "198.51.100.20", TRUE);
  pipeline = launch (receiver (random_range (4), "advertise-address=127.0.0.1"));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  warning = warning_with (pipeline, "advertise-address '127.0.0.1'");
  fail_unless (warning.find ("Advertising 198.51.100.20 ($HOST_IP) instead") != std::string::npos, "%s", warning.c_str ());
  fail_unless (warning.find ("wildcard") == std::string::npos, "%s", warning.c_str ());
  g_object_get (child (pipeline, "src"), "advertise-address", &advertised, nullptr);
  fail_unless_equals_string (advertised, "198.51.100.20");
  g_free (advertised);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_unsetenv ("HOST_IP");
}
GST_END_TEST;

GST_START_TEST (test_ephemeral_overlap_names_the_kernel_range)
{
  unsigned low, high;
  ephemeral_range (low, high);
  unsigned base = low + 2 * g_random_int_range (100, (high - low) / 2 - 100);
  base &= ~1u;
  if (!port_is_free (base) || !port_is_free (base + 1) || !port_is_free (base + 2) || !port_is_free (base + 3))
    skip_test ("ports %u-%u inside the ephemeral range are in use", base, base + 3);
  gchar *reserved = nullptr;
  g_file_get_contents ("/proc/sys/net/ipv4/ip_local_reserved_ports", &reserved, nullptr, nullptr);
  bool any_reserved = reserved && g_strstrip (reserved)[0] != '\0';
  g_free (reserved);
  if (any_reserved)
    skip_test ("net.ipv4.ip_local_reserved_ports is set here: the overlap may be protected");
  std::string range = std::to_string (base) + "-" + std::to_string (base + 3);
  GstElement *pipeline = launch (receiver (range));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  std::string warning = warning_with (pipeline, "ephemeral");
  std::string kernel = "ephemeral ports " + std::to_string (low) + "-" + std::to_string (high) +
      " (net.ipv4.ip_local_port_range) in " + range;
  fail_unless (warning.find (kernel) != std::string::npos, "expected '%s' in: %s", kernel.c_str (), warning.c_str ());
  fail_unless (warning.find ("ip_local_reserved_ports=" + range) != std::string::npos, "%s", warning.c_str ());
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_plugin_metadata)
{
  GstObjectPtr<GstPlugin> plugin (gst_registry_find_plugin (gst_registry_get (), "hostnetrtp"));
  fail_unless (plugin != nullptr);
  fail_if (strstr (gst_plugin_get_origin (plugin.get ()), "example") != nullptr,
      "placeholder origin: %s", gst_plugin_get_origin (plugin.get ()));
  GstObjectPtr<GstElementFactory> factory (gst_element_factory_find ("hostnetrtpsrc"));
  fail_unless_equals_string (gst_element_factory_get_klass (factory.get ()), "Source/Network/RTP");
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
  tcase_add_test (tc, test_two_elements_one_range);
  tcase_add_test (tc, test_reuse_squatter_is_never_shared);
  tcase_add_test (tc, test_exhausted_range_fails_clean);
  tcase_add_test (tc, test_loopback_rewritten);
  tcase_add_test (tc, test_loopback_refused_or_allowed);
  tcase_add_test (tc, test_bad_input_is_a_clear_error);
  tcase_add_test (tc, test_capped_receive_buffer_warns);
  tcase_add_test (tc, test_sdp_file);
  tcase_add_test (tc, test_hundred_cycles_leak_nothing);
  tcase_add_test (tc, test_shared_sdp_path_is_never_deleted_under_another);
  tcase_add_test (tc, test_start_time_properties_refused_while_running);
  tcase_add_test (tc, test_every_passed_over_address_is_named);
  tcase_add_test (tc, test_ephemeral_overlap_names_the_kernel_range);
  tcase_add_test (tc, test_plugin_metadata);
  return s;
}

GST_CHECK_MAIN (hostnetrtpsrc);
