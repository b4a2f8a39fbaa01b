/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — announcement and encodings suite: the bus message, the SDP
 * and the caps behind them. */
#include <sstream>  /* before gstcheck.h: its fail () macro breaks <ios> */

#include <gst/check/gstcheck.h>
#include <gst/sdp/sdp.h>

#include "announcement.h"
#include "encodings.h"

#include <csignal>
#include <sys/wait.h>
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

  /* A static payload type names its own encoding: PCMA (8) on a PCMU stream
   * is PCMA, PT 26 on an H264 stream is JPEG; the configured one stays. */
  struct { guint stream, pt; const char *encoding; int rate; } statics[] = {
    {1, 8, "PCMA", 8000}, {1, 0, "PCMU", 8000}, {0, 26, "JPEG", 90000}, {1, 9, "G722", 8000},
    {1, 101, "PCMU", 8000},
  };
  for (auto &c : statics) {
    GstCapsPtr got (caps_for_payload (streams[c.stream], c.pt));
    GstStructure *st = gst_caps_get_structure (got.get (), 0);
    int rate = 0;
    gst_structure_get_int (st, "clock-rate", &rate);
    gst_structure_get_int (st, "payload", &pt);
    fail_unless_equals_string (gst_structure_get_string (st, "encoding-name"), c.encoding);
    fail_unless_equals_int (rate, c.rate);
    fail_unless_equals_int (pt, (int) c.pt);
  }
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
  fail_unless (write_sdp_file (path, sdp, error), "%s", error.c_str ());
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

  fail_if (write_sdp_file ("/nonexistent-dir/cam.sdp", sdp, error));
  fail_unless (error.find ("/nonexistent-dir/cam.sdp") != std::string::npos, "%s", error.c_str ());
  a.advertise_address.clear ();
  fail_if (announcement_sdp (a, sdp, error));
  fail_unless (error.find ("advertise-address") != std::string::npos);
}
GST_END_TEST;

static std::string
expanded (const std::string &pattern, guint port)
{
  std::string path, error;
  fail_unless (expand_sdp_path (pattern, port, path, error), "%s: %s", pattern.c_str (), error.c_str ());
  return path;
}

GST_START_TEST (test_sdp_path_placeholders)
{
  g_setenv ("POD_NAME", "analytics-5d8f-x2k9q", TRUE);
  fail_unless (expanded ("/run/hnr/{rtp-port}.sdp", 32546) == "/run/hnr/32546.sdp");
  fail_unless (expanded ("/run/{pod}-{rtp-port}-{rtp-port}.sdp", 7) ==
      "/run/analytics-5d8f-x2k9q-7-7.sdp");
  fail_unless (expanded ("/run/{pid}.sdp", 1) == "/run/" + std::to_string (getpid ()) + ".sdp");
  fail_unless (expanded ("/run/plain.sdp", 1) == "/run/plain.sdp");

  /* Without POD_NAME the host name is the node's under hostNetwork, shared
   * by every replica: {pod} adds the pid so two replicas never share it. */
  g_unsetenv ("POD_NAME");
  fail_unless (expanded ("/run/{pod}.sdp", 1) ==
      "/run/" + std::string (g_get_host_name ()) + "-" + std::to_string (getpid ()) + ".sdp");

  /* An unknown or unclosed placeholder is an error that names it. */
  std::string path, error;
  fail_if (expand_sdp_path ("/run/{port}.sdp", 1, path, error));
  fail_unless (error.find ("unknown placeholder '{port}'") != std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("{rtp-port}, {pid} and {pod}") != std::string::npos, "%s", error.c_str ());
  fail_if (expand_sdp_path ("/run/{rtp-port.sdp", 1, path, error));
  fail_unless (error.find ("'{rtp-port.sdp'") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_sdp_names_its_writer)
{
  g_setenv ("POD_NAME", "analytics-0", TRUE);
  std::vector<StreamDescription> streams;
  Announcement a = two_stream_announcement (streams);
  std::string sdp, error;
  fail_unless (announcement_sdp (a, sdp, error), "%s", error.c_str ());
  SdpWriter writer;
  fail_unless (SdpWriter::from_sdp (sdp, writer), "%s", sdp.c_str ());
  fail_unless_equals_int (writer.pid, getpid ());
  fail_unless_equals_string (writer.pod.c_str (), "analytics-0");
  fail_unless (writer.start_ticks > 0);
  fail_unless (writer.alive ());
  fail_unless (sdp.find ("o=analytics-0 ") != std::string::npos, "%s", sdp.c_str ());

  /* A writer that is gone (or whose pid now names another process) is stale. */
  SdpWriter gone = writer;
  gone.start_ticks++;
  fail_if (gone.alive ());
  pid_t child = fork ();
  if (child == 0)
    _exit (0);
  waitpid (child, nullptr, 0);
  gone.pid = child;
  gone.start_ticks = writer.start_ticks;
  fail_if (gone.alive ());
  g_unsetenv ("POD_NAME");
}
GST_END_TEST;

/* Field 22 of /proc/PID/stat, read independently of the code under test. */
static guint64
start_ticks_of (int pid)
{
  gchar *stat = nullptr;
  std::string path = "/proc/" + std::to_string (pid) + "/stat";
  fail_unless (g_file_get_contents (path.c_str (), &stat, nullptr, nullptr));
  std::istringstream in (strrchr (stat, ')') + 2);
  g_free (stat);
  std::string field;
  for (int i = 3; i <= 22; i++)
    in >> field;
  return g_ascii_strtoull (field.c_str (), nullptr, 10);
}

GST_START_TEST (test_sdp_file_ownership)
{
  std::vector<StreamDescription> streams;
  Announcement a = two_stream_announcement (streams);
  std::string ours, error;
  fail_unless (announcement_sdp (a, ours, error));
  GCharPtr dir (g_dir_make_tmp ("hostnetrtp-XXXXXX", nullptr));
  std::string path = std::string (dir.get ()) + "/cam.sdp";

  /* Another receiver replaced the file: ours is gone, theirs stays. */
  fail_unless (write_sdp_file (path, ours, error), "%s", error.c_str ());
  std::string theirs = ours + "a=x-other:1\r\n";
  fail_unless (g_file_set_contents (path.c_str (), theirs.c_str (), -1, nullptr));
  fail_if (remove_sdp_file_if_ours (path, ours));
  fail_unless (g_file_test (path.c_str (), G_FILE_TEST_EXISTS), "another receiver's SDP was removed");
  fail_unless (write_sdp_file (path, ours, error), "%s", error.c_str ());
  fail_unless (remove_sdp_file_if_ours (path, ours));
  fail_if (g_file_test (path.c_str (), G_FILE_TEST_EXISTS));

  /* An SDP of a live process that is not us is refused; a stale one replaced. */
  GPid sleeper = 0;
  gchar *argv[] = {(gchar *) "sleep", (gchar *) "30", nullptr};
  fail_unless (g_spawn_async (nullptr, argv, nullptr, static_cast<GSpawnFlags> (G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD), nullptr, nullptr, &sleeper, nullptr));
  std::string live_other = "v=0\r\na=x-hostnetrtp-writer:pid=" + std::to_string (sleeper) +
      " start=" + std::to_string (start_ticks_of (sleeper)) + " host=h pod=analytics-1\r\n";
  fail_unless (g_file_set_contents (path.c_str (), live_other.c_str (), -1, nullptr));
  fail_if (write_sdp_file (path, ours, error));
  fail_unless (error.find ("another running receiver (pid " + std::to_string (sleeper) + ", pod analytics-1)") !=
      std::string::npos, "%s", error.c_str ());
  fail_unless (error.find ("{rtp-port}") != std::string::npos, "%s", error.c_str ());
  kill (sleeper, SIGKILL);  /* dead, not yet reaped: a zombie is no writer either */
  siginfo_t info;
  waitid (P_PID, sleeper, &info, WEXITED | WNOWAIT);
  fail_unless (write_sdp_file (path, ours, error), "a zombie's SDP was not replaced: %s", error.c_str ());
  fail_unless (g_file_set_contents (path.c_str (), live_other.c_str (), -1, nullptr));
  waitpid (sleeper, nullptr, 0);
  g_spawn_close_pid (sleeper);
  fail_unless (write_sdp_file (path, ours, error), "a stale SDP was not replaced: %s", error.c_str ());
  unlink (path.c_str ());
  rmdir (dir.get ());
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
  tcase_add_test (tc, test_sdp_names_its_writer);
  tcase_add_test (tc, test_sdp_file_ownership);
  return s;
}

GST_CHECK_MAIN (announcement);
