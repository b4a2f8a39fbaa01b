/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp tests — the hostnetrtp:// URI handler: what it sets, what it
 * refuses and how, the schemes it leaves alone, and real H264 decoded
 * through uridecodebin and playbin from such a URI. */
#include "element-util.h"

using namespace testutil;

namespace {

std::string string_property (GstElement *e, const char *name)
{
  gchar *raw = nullptr;
  g_object_get (e, name, &raw, nullptr);
  GCharPtr value (raw);
  return raw ? raw : "";
}

#define fail_unless_property(element, name, expected) do { \
    const std::string actual_ = string_property (element, name); \
    fail_unless (actual_ == (expected), "%s is '%s', not '%s'", name, actual_.c_str (), \
        std::string (expected).c_str ()); \
  } while (0)

bool is_ours (GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  return factory && g_str_equal (GST_OBJECT_NAME (factory), "hostnetrtpsrc");
}

/* A live H264 camera sending to 127.0.0.1:@port until it is dropped. */
struct H264Camera {
  GstElement *pipeline;
  explicit H264Camera (guint port)
  {
    /* Constrained baseline: what every H264 decoder takes, openh264dec
     * (used under valgrind) as well as avdec_h264. */
    pipeline = launch ("videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,"
        "framerate=25/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=5 "
        "! video/x-h264,profile=constrained-baseline ! rtph264pay "
        "config-interval=1 pt=96 ! udpsink host=127.0.0.1 port=" + std::to_string (port));
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  }
  ~H264Camera ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
};

/* Plays @pipeline (whose hostnetrtpsrc comes from a URI, deep inside),
 * points a camera at the RTP port it announces, and pulls @frames decoded
 * frames from @sink. */
void decodes_from_uri (GstElement *pipeline, GstElement *sink, int frames)
{
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstMessagePtr allocation = allocation_message (pipeline);
  fail_unless (allocation != nullptr, "no hostnetrtp-allocation from the URI's source");
  fail_unless (is_ours (GST_ELEMENT (GST_MESSAGE_SRC (allocation.get ()))));
  guint port = 0;
  gst_structure_get_uint (gst_message_get_structure (allocation.get ()), "rtp-port", &port);
  H264Camera camera (port);
  for (int i = 0; i < frames; i++) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
    fail_unless (sample != nullptr, "frame %d of %d never came", i, frames);
    GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    fail_unless (gst_structure_has_name (s, "video/x-raw"), "not decoded: %" GST_PTR_FORMAT, s);
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

}  // namespace

GST_START_TEST (test_make_from_uri_sets_the_named_properties)
{
  fail_unless (gst_uri_protocol_is_supported (GST_URI_SRC, "hostnetrtp"));
  std::string range = random_range (4);
  std::string uri = "hostnetrtp://0.0.0.0:" + range + "?encoding-name=H264&latency=50"
      "&allowed-senders=127.0.0.1,10.0.0.0/8&loopback-policy=error&sdp-file=/tmp/%7Bpid%7D.sdp";
  GError *error = nullptr;
  GstElement *src = gst_element_make_from_uri (GST_URI_SRC, uri.c_str (), nullptr, &error);
  fail_unless (src != nullptr, "%s", error ? error->message : "");
  fail_unless (is_ours (src));
  fail_unless_property (src, "port-range", range);
  fail_unless_property (src, "address", "0.0.0.0");
  fail_unless_property (src, "encoding-name", "H264");
  fail_unless_equals_int (uint_property (src, "latency"), 50);
  fail_unless_property (src, "allowed-senders", "127.0.0.1,10.0.0.0/8");
  fail_unless_property (src, "sdp-file", "/tmp/{pid}.sdp");
  gint policy = 0;
  g_object_get (src, "loopback-policy", &policy, nullptr);
  fail_unless_equals_int (policy, 1);  /* error */
  GCharPtr back (gst_uri_handler_get_uri (GST_URI_HANDLER (src)));
  fail_unless_equals_string (back.get (), uri.c_str ());
  fail_unless_property (src, "uri", uri);

  /* A URI sets what it names and leaves the rest (a template's settings). */
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src), "hostnetrtp://?latency=70", nullptr));
  fail_unless_equals_int (uint_property (src, "latency"), 70);
  fail_unless_property (src, "encoding-name", "H264");

  /* IPv6 in brackets, caps with '=' and ';' as they are. */
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src), "hostnetrtp://[::]:5004?caps="
      "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;"
      "application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU", &error));
  fail_unless_property (src, "address", "::");
  fail_unless_property (src, "port-range", "5004");
  GstCaps *caps = nullptr;
  g_object_get (src, "caps", &caps, nullptr);
  fail_unless_equals_int (gst_caps_get_size (caps), 2);
  gst_caps_unref (caps);

  /* Pull mode through the query; uri and location set it alike. */
  const char *pull = "hostnetrtp://?location=rtsp://camera-7:8554/live&user-id=viewer";
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src), pull, nullptr));
  fail_unless_property (src, "location", "rtsp://camera-7:8554/live");
  /* The location inside did not replace the URI that carried it. */
  back.reset (gst_uri_handler_get_uri (GST_URI_HANDLER (src)));
  fail_unless_equals_string (back.get (), pull);
  fail_unless_property (src, "uri", pull);
  g_object_set (src, "uri", "rtsp://camera-8/live", nullptr);
  fail_unless_property (src, "location", "rtsp://camera-8/live");
  fail_unless_property (src, "uri", "rtsp://camera-8/live");
  /* The handler answers in its own scheme, and that answer sets the same. */
  back.reset (gst_uri_handler_get_uri (GST_URI_HANDLER (src)));
  fail_unless_equals_string (back.get (), "hostnetrtp://?location=rtsp%3A%2F%2Fcamera-8%2Flive");
  g_object_set (src, "location", "", nullptr);
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src), back.get (), nullptr));
  fail_unless_property (src, "location", "rtsp://camera-8/live");
  /* String values are taken as written: quotes and NULL are text. */
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src),
      "hostnetrtp://?user-id=%22NULL%22&multicast-iface=NULL", nullptr));
  fail_unless_property (src, "user-id", "\"NULL\"");
  fail_unless_property (src, "multicast-iface", "NULL");
  g_object_set (src, "location", ("hostnetrtp://:" + range).c_str (), nullptr);
  fail_unless_property (src, "port-range", range);
  gst_object_unref (src);
}
GST_END_TEST;

GST_START_TEST (test_only_its_own_scheme)
{
  GstObjectPtr<GstElement> probe (GST_ELEMENT (gst_object_ref_sink (
      gst_element_factory_make ("hostnetrtpsrc", nullptr))));
  const gchar *const *protocols = gst_uri_handler_get_protocols (GST_URI_HANDLER (probe.get ()));
  fail_unless (protocols && g_strv_length ((gchar **) protocols) == 1);
  fail_unless_equals_string (protocols[0], "hostnetrtp");
  for (const char *uri : {"rtsp://127.0.0.1:8554/cam", "rtp://0.0.0.0:5004", "udp://0.0.0.0:5004"}) {
    GstElement *e = gst_element_make_from_uri (GST_URI_SRC, uri, nullptr, nullptr);
    fail_unless (e == nullptr || !is_ours (e), "%s was taken by hostnetrtpsrc", uri);
    if (e)
      gst_object_unref (e);
  }
}
GST_END_TEST;

GST_START_TEST (test_malformed_uris_are_clear_errors_and_change_nothing)
{
  struct { const char *uri; const char *expected; } cases[] = {
    {"hostnetrtp:/x", "does not begin with hostnetrtp://"},
    {"hostnetrtp://::1:5004", "put an IPv6 address in brackets"},
    {"hostnetrtp://[::1:5004", "no closing ']'"},
    {"hostnetrtp://[nope]:5004", "'[nope]' is not an IPv6 address"},
    {"hostnetrtp://host name:5004", "'host name' is not an address or a host name"},
    {"hostnetrtp://:", "has ':' but no port-range"},
    {"hostnetrtp://:6000-5000", "port-range '6000-5000' is inverted"},
    {"hostnetrtp://:abc", "port-range 'abc' is malformed"},
    {"hostnetrtp://user@0.0.0.0:5004", "user information"},
    {"hostnetrtp://0.0.0.0/live", "has a path '/live'"},
    {"hostnetrtp://?latency=5#x", "fragment"},
    {"hostnetrtp://?latency=7&frobnicate=1", "'frobnicate' is not a property it can set"},
    {"hostnetrtp://?rtp-port=5004", "'rtp-port' is not a property it can set"},
    {"hostnetrtp://?latency", "query item 'latency' has no value"},
    {"hostnetrtp://?latency=soon", "latency=soon is not valid: latency takes a whole number from 0 to"},
    {"hostnetrtp://?latency=99999999999", "latency takes a whole number"},
    {"hostnetrtp://?rtcp-mux=maybe", "rtcp-mux takes true or false"},
    {"hostnetrtp://?loopback-policy=sometimes", "takes one of rewrite, error, allow"},
    {"hostnetrtp://?latency=1&latency=2", "sets 'latency' twice"},
    {"hostnetrtp://:5004?port-range=5006", "sets 'port-range' twice"},
    {"hostnetrtp://?encoding-name=%zz", "invalid percent escape"},
    {"hostnetrtp://?location=http://camera/x", "location 'http://camera/x' is not an RTSP URL"},
    {"hostnetrtp://?location=rtsp://camera:99999/x", "has port '99999': an RTSP port is a number from 1 to 65535"},
    {"hostnetrtp://?location=rtsp://u:s3cret@[::1]:0/x", "has port '0'"},
    {"hostnetrtp://?location=hostnetrtp://x", "location takes an rtsp:// URL"},
    {"hostnetrtp://?user-pw=s3cret&latency=x", "latency=x"},
    {"hostnetrtp://?user_pw=s3cret&latency=x", "latency=x"},
    {"hostnetrtp://?async-handling=true", "'async-handling' is not a property it can set"},
    {"hostnetrtp://?message-forward=true", "'message-forward' is not a property it can set"},
    {"hostnetrtp://?name=x", "'name' is not a property it can set"},
    {"hostnetrtp://?port-range=5005-5004", "port-range=5005-5004 is not valid"},
    {"hostnetrtp://?allowed-senders=10.0.0.0/99", "allowed-senders=10.0.0.0/99 is not valid"},
    {"hostnetrtp://?encoding-name=H999", "encoding-name=H999 is not valid"},
    {"hostnetrtp://?caps=not%20caps", "caps=not caps is not valid"},
    {"hostnetrtp://?user-id=%ff%fe&latency=x", "latency=x"},
  };
  GstElement *src = gst_element_factory_make ("hostnetrtpsrc", nullptr);
  for (auto &c : cases) {
    GError *error = nullptr;
    fail_if (gst_uri_handler_set_uri (GST_URI_HANDLER (src), c.uri, &error), "%s was taken", c.uri);
    fail_unless (error && error->domain == GST_URI_ERROR, "%s: no URI error", c.uri);
    std::string text = error->message;
    g_error_free (error);
    fail_unless (text.find (c.expected) != std::string::npos, "%s gave: %s", c.uri, text.c_str ());
    fail_unless (text.find ("s3cret") == std::string::npos, "%s shows the password: %s", c.uri,
        text.c_str ());
    /* All or nothing: the valid items of a refused URI were not set. */
    fail_unless_equals_int (uint_property (src, "latency"), 200);
    fail_unless_property (src, "port-range", "");
    fail_unless_property (src, "user-pw", "");
  }
  gst_object_unref (src);
}
GST_END_TEST;

GST_START_TEST (test_uri_while_running_and_bad_uri_property)
{
  std::string range = random_range (2);
  GstElement *pipeline = launch ("hostnetrtpsrc name=src ! fakesink");
  GstElement *src = child (pipeline, "src");
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src),
      ("hostnetrtp://:" + range + "?encoding-name=H264").c_str (), nullptr));
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  GError *error = nullptr;
  fail_if (gst_uri_handler_set_uri (GST_URI_HANDLER (src), "hostnetrtp://?latency=5", &error));
  fail_unless (g_error_matches (error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE));
  fail_unless (strstr (error->message, "set it in the NULL state"), "%s", error->message);
  g_clear_error (&error);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* A bad URI given to the uri property fails the start with its reason. */
  g_object_set (src, "uri", "hostnetrtp://?frobnicate=1", nullptr);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  std::string text = error_text (pipeline);
  fail_unless (text.find ("uri: hostnetrtp URI: 'frobnicate' is not a property") != std::string::npos,
      "%s", text.c_str ());
  gst_element_set_state (pipeline, GST_STATE_NULL);
  /* A good one clears it. */
  g_object_set (src, "uri", ("hostnetrtp://:" + range + "?encoding-name=H264").c_str (), nullptr);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_uridecodebin_decodes_from_a_hostnetrtp_uri)
{
  std::string uri = "hostnetrtp://:" + random_range (4) + "?encoding-name=H264&latency=50";
  GstElement *pipeline = launch ("uridecodebin uri=\"" + uri + "\" ! videoconvert "
      "! appsink name=sink sync=false");
  decodes_from_uri (pipeline, child (pipeline, "sink"), 10);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_playbin_decodes_from_a_hostnetrtp_uri)
{
  std::string uri = "hostnetrtp://:" + random_range (4) + "?encoding-name=H264&latency=50";
  GstElement *pipeline = gst_element_factory_make ("playbin", nullptr);
  GstElement *sink = gst_element_factory_make ("appsink", "sink");
  g_object_set (sink, "sync", FALSE, nullptr);
  g_object_set (pipeline, "uri", uri.c_str (), "video-sink", sink, "audio-sink",
      gst_element_factory_make ("fakesink", nullptr), nullptr);
  decodes_from_uri (pipeline, sink, 10);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* What anyone may read back (get_uri, the uri property) carries no
 * password: not from location, not from user-pw. */
GST_START_TEST (test_no_password_reads_back)
{
  GstElement *src = gst_element_factory_make ("hostnetrtpsrc", nullptr);
  g_object_set (src, "location", "rtsp://viewer:s3cret@camera-7/live", nullptr);
  GCharPtr back (gst_uri_handler_get_uri (GST_URI_HANDLER (src)));
  fail_unless (back && strstr (back.get (), "camera-7") && !strstr (back.get (), "s3cret"), "%s", back.get ());
  fail_if (string_property (src, "uri").find ("s3cret") != std::string::npos, "%s",
      string_property (src, "uri").c_str ());
  fail_unless (gst_uri_handler_set_uri (GST_URI_HANDLER (src), "hostnetrtp://?location="
      "rtsp%3A%2F%2Fviewer%3As3cret%40camera-8%2Flive&user-id=viewer&user-pw=s3cret&latency=70", nullptr));
  back.reset (gst_uri_handler_get_uri (GST_URI_HANDLER (src)));
  fail_unless (back && strstr (back.get (), "camera-8") && strstr (back.get (), "user-id=viewer") &&
      strstr (back.get (), "latency=70") && !strstr (back.get (), "s3cret"), "%s", back.get ());
  /* The location property itself keeps what was set, as rtspsrc's does. */
  fail_unless_property (src, "location", "rtsp://viewer:s3cret@camera-8/live");
  gst_object_unref (src);
}
GST_END_TEST;

static Suite *
uri_handler_suite (void)
{
  Suite *s = suite_create ("uri_handler");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_make_from_uri_sets_the_named_properties);
  tcase_add_test (tc, test_only_its_own_scheme);
  tcase_add_test (tc, test_malformed_uris_are_clear_errors_and_change_nothing);
  tcase_add_test (tc, test_uri_while_running_and_bad_uri_property);
  tcase_add_test (tc, test_no_password_reads_back);
  tcase_add_test (tc, test_uridecodebin_decodes_from_a_hostnetrtp_uri);
  tcase_add_test (tc, test_playbin_decodes_from_a_hostnetrtp_uri);
  return s;
}

GST_CHECK_MAIN (uri_handler);
