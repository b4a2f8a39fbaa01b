/* hostnetrtp — announcement and encodings suite: the bus message, the SDP
 * and the caps behind them. */
#include <gst/check/gstcheck.h>
#include <gst/sdp/sdp.h>

#include "announcement.h"
#include "encodings.h"

#include <unistd.h>

using namespace hostnetrtp;

GST_START_TEST (test_encoding_names_give_complete_caps)
{
  struct { const char *name; const char *media; int rate; int pt; } expected[] = {
    {"H264", "video", 90000, 96}, {"h265", "video", 90000, 96}, {"JPEG", "video", 90000, 26},
    {"VP8", "video", 90000, 96}, {"VP9", "video", 90000, 96}, {"MP4V-ES", "video", 90000, 96},
    {"MP4A-LATM", "audio", 48000, 96}, {"MPEG4-GENERIC", "audio", 48000, 96},
    {"OPUS", "audio", 48000, 96}, {"PCMU", "audio", 8000, 0}, {"PCMA", "audio", 8000, 8},
    {"L16", "audio", 44100, 11}, {"MP2T", "video", 90000, 33},
  };
  for (auto &e : expected) {
    std::string error;
    GstCapsPtr caps (caps_for_encoding_name (e.name, error));
    fail_unless (caps != nullptr, "%s: %s", e.name, error.c_str ());
    std::vector<StreamDescription> streams;
    fail_unless (describe_streams (caps.get (), streams, error), "%s", error.c_str ());
    fail_unless_equals_int (streams.size (), 1);
    fail_unless (streams[0].media == e.media, "%s", e.name);
    fail_unless_equals_int (streams[0].clock_rate, e.rate);
    fail_unless_equals_int (streams[0].payload, e.pt);
  }
  std::string error;
  fail_unless (caps_for_encoding_name ("FOO", error) == nullptr);
  fail_unless (error.find ("'FOO'") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("H264") != std::string::npos);
}
GST_END_TEST;

GST_START_TEST (test_describe_streams_rejects_non_rtp)
{
  const char *bad[] = {"video/x-raw", "application/x-rtp", "application/x-rtp,media=video",
      "application/x-rtp,media=video,clock-rate=90000,payload=200",
      "application/x-rtp,media=video,clock-rate=[1,10]"};
  for (const char *text : bad) {
    GstCapsPtr caps (gst_caps_from_string (text));
    std::vector<StreamDescription> streams;
    std::string error;
    fail_if (describe_streams (caps.get (), streams, error), "%s accepted", text);
    fail_unless (error.find ("caps structure 0") != std::string::npos, "%s", error.c_str ());
    fail_unless (streams.empty ());
  }
  std::vector<StreamDescription> streams;
  std::string error;
  fail_if (describe_streams (nullptr, streams, error));
  fail_unless (error.find ("encoding-name") != std::string::npos);
}
GST_END_TEST;

GST_START_TEST (test_payload_mismatch_still_maps)
{
  GstCapsPtr caps (gst_caps_from_string (
      "application/x-rtp,encoding-name=h264;application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU"));
  std::vector<StreamDescription> streams;
  std::string error;
  fail_unless (describe_streams (caps.get (), streams, error), "%s", error.c_str ());
  fail_unless_equals_int (streams.size (), 2);
  fail_unless (streams[0].encoding_name == "H264");
  fail_unless_equals_int (streams[0].clock_rate, 90000);
  GstCapsPtr mapped (caps_for_payload (streams[0], 101));
  GstStructure *s = gst_caps_get_structure (mapped.get (), 0);
  int pt = 0;
  fail_unless (gst_structure_get_int (s, "payload", &pt));
  fail_unless_equals_int (pt, 101);
  fail_unless_equals_string (gst_structure_get_string (s, "encoding-name"), "H264");
  fail_unless_equals_int (streams[1].payload, 0);
}
GST_END_TEST;

static Announcement two_stream_announcement (std::vector<StreamDescription> &streams)
{
  GstCapsPtr caps (gst_caps_from_string (
      "application/x-rtp,encoding-name=H264;application/x-rtp,encoding-name=PCMA"));
  std::string error;
  fail_unless (describe_streams (caps.get (), streams, error));
  Announcement a;
  a.bound_address = "0.0.0.0";
  a.advertise_address = "198.51.100.7";
  a.streams.push_back ({streams[0].caps.get (), "video", "H264", 96, 90000, 30000, 30001});
  a.streams.push_back ({streams[1].caps.get (), "audio", "PCMA", 8, 8000, 30010, 30011});
  return a;
}

GST_START_TEST (test_message_structure)
{
  std::vector<StreamDescription> streams;
  Announcement a = two_stream_announcement (streams);
  GstStructurePtr s (announcement_structure (a));
  fail_unless (gst_structure_has_name (s.get (), kAllocationMessageName));
  fail_unless_equals_string (gst_structure_get_string (s.get (), "advertise-address"), "198.51.100.7");
  guint port = 0;
  fail_unless (gst_structure_get_uint (s.get (), "rtp-port", &port));
  fail_unless_equals_int (port, 30000);
  const GValue *list = gst_structure_get_value (s.get (), "streams");
  fail_unless_equals_int (gst_value_array_get_size (list), 2);
  const GstStructure *audio = gst_value_get_structure (gst_value_array_get_value (list, 1));
  fail_unless_equals_string (gst_structure_get_string (audio, "media"), "audio");
  fail_unless (gst_structure_get_uint (audio, "rtcp-port", &port));
  fail_unless_equals_int (port, 30011);
  /* It survives serialization, as gst-launch -m prints it. */
  GCharPtr text (gst_structure_to_string (s.get ()));
  GstStructurePtr back (gst_structure_from_string (text.get (), nullptr));
  fail_unless (back && gst_structure_is_equal (back.get (), s.get ()), "%s", text.get ());
}
GST_END_TEST;

GST_START_TEST (test_sdp_parses_back)
{
  std::vector<StreamDescription> streams;
  Announcement a = two_stream_announcement (streams);
  std::string sdp, error;
  fail_unless (announcement_sdp (a, sdp, error), "%s", error.c_str ());

  GCharPtr dir (g_dir_make_tmp ("hostnetrtp-XXXXXX", nullptr));
  std::string path = std::string (dir.get ()) + "/cam.sdp";
  fail_unless (write_file_atomically (path, sdp, error), "%s", error.c_str ());
  gchar *contents = nullptr;
  gsize size = 0;
  fail_unless (g_file_get_contents (path.c_str (), &contents, &size, nullptr));
  GCharPtr owned (contents);

  GstSDPMessage *msg = nullptr;
  gst_sdp_message_new (&msg);
  fail_unless (gst_sdp_message_parse_buffer ((const guint8 *) contents, size, msg) == GST_SDP_OK);
  fail_unless_equals_string (gst_sdp_message_get_connection (msg)->address, "198.51.100.7");
  fail_unless_equals_int (gst_sdp_message_medias_len (msg), 2);
  const GstSDPMedia *video = gst_sdp_message_get_media (msg, 0);
  fail_unless_equals_string (gst_sdp_media_get_media (video), "video");
  fail_unless_equals_string (gst_sdp_media_get_proto (video), "RTP/AVP");
  fail_unless_equals_int (gst_sdp_media_get_port (video), 30000);
  fail_unless_equals_string (gst_sdp_media_get_attribute_val (video, "rtcp"), "30001");
  fail_unless_equals_string (gst_sdp_media_get_attribute_val (video, "rtpmap"), "96 H264/90000");
  const GstSDPMedia *audio = gst_sdp_message_get_media (msg, 1);
  fail_unless_equals_int (gst_sdp_media_get_port (audio), 30010);
  fail_unless_equals_string (gst_sdp_media_get_format (audio, 0), "8");
  gst_sdp_message_free (msg);

  /* No temporary file is left beside it. */
  GDir *d = g_dir_open (dir.get (), 0, nullptr);
  int entries = 0;
  while (g_dir_read_name (d))
    entries++;
  g_dir_close (d);
  fail_unless_equals_int (entries, 1);
  unlink (path.c_str ());
  rmdir (dir.get ());

  fail_if (write_file_atomically ("/nonexistent-dir/cam.sdp", sdp, error));
  fail_unless (error.find ("/nonexistent-dir/cam.sdp") != std::string::npos, "%s", error.c_str ());
  a.advertise_address.clear ();
  fail_if (announcement_sdp (a, sdp, error));
  fail_unless (error.find ("advertise-address") != std::string::npos);
}
GST_END_TEST;

GST_START_TEST (test_sdp_path_placeholders)
{
  g_setenv ("POD_NAME", "analytics-5d8f-x2k9q", TRUE);
  fail_unless (expand_sdp_path ("/run/hnr/{rtp-port}.sdp", 32546) == "/run/hnr/32546.sdp");
  fail_unless (expand_sdp_path ("/run/{pod}-{rtp-port}-{rtp-port}.sdp", 7) ==
      "/run/analytics-5d8f-x2k9q-7-7.sdp");
  fail_unless (expand_sdp_path ("/run/{pid}.sdp", 1) == "/run/" + std::to_string (getpid ()) + ".sdp");
  fail_unless (expand_sdp_path ("/run/plain.sdp", 1) == "/run/plain.sdp");
  g_unsetenv ("POD_NAME");
}
GST_END_TEST;

static Suite *
announcement_suite (void)
{
  Suite *s = suite_create ("announcement");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_encoding_names_give_complete_caps);
  tcase_add_test (tc, test_describe_streams_rejects_non_rtp);
  tcase_add_test (tc, test_payload_mismatch_still_maps);
  tcase_add_test (tc, test_message_structure);
  tcase_add_test (tc, test_sdp_parses_back);
  tcase_add_test (tc, test_sdp_path_placeholders);
  return s;
}

GST_CHECK_MAIN (announcement);
