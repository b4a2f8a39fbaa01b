/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — rtsp_messages suite: what pull mode reads from a camera and
 * writes to it (rtsp-messages.h): locations, control URLs, the SDP of
 * DESCRIBE, the Transport of SETUP, as real cameras write them. */
#include <sstream>  /* before gstcheck.h: its fail () macro breaks <ios> */

#include <gst/check/gstcheck.h>

#include "rtsp-messages.h"

using namespace hostnetrtp;

/* fail_unless_equals_string keeps a pointer past the full expression: a
 * function's std::string result is held here first. */
#define assert_text(expr, expected)                                                    \
  do {                                                                                  \
    const std::string got_ = (expr);                                                    \
    fail_unless (got_ == std::string (expected), "%s is '%s', not '%s'", #expr,         \
        got_.c_str (), std::string (expected).c_str ());                                \
  } while (0)

GST_START_TEST (test_credentials_never_written)
{
  assert_text (without_credentials ("rtsp://viewer:s3cret@cam-7:8554/live"),
      "rtsp://cam-7:8554/live");
  assert_text (without_credentials ("rtsps://a:b@c@[2001:db8::7]/x"),
      "rtsps://[2001:db8::7]/x");
  assert_text (without_credentials ("rtsp://cam-7/live"), "rtsp://cam-7/live");
  /* An '@' after the path is no user information. */
  assert_text (without_credentials ("rtsp://cam-7/a@b"), "rtsp://cam-7/a@b");
}
GST_END_TEST;

GST_START_TEST (test_locations_and_their_transports)
{
  std::string error;
  for (const char *good : {"rtsp://cam-7/live", "rtsps://cam-7:322/live", "rtspt://192.0.2.7/x",
           "rtspu://[2001:db8::7]:554/x", "RTSP://cam-7/upper", "rtsp://u:p@cam-7:65535/x"})
    fail_unless (valid_rtsp_location (good, error), "%s: %s", good, error.c_str ());
  for (const char *bad : {"http://cam-7/live", "rtsp:/broken", "rtsp://", "rtsp://cam-7:99999/x",
           "rtsp://cam-7:0/x", "rtsp://cam-7:8o/x", "rtsp://user:pw@:554/x"}) {
    fail_if (valid_rtsp_location (bad, error), "%s was taken", bad);
    fail_unless (error.find ("location") != std::string::npos, "%s: %s", bad, error.c_str ());
    fail_unless (error.find ("pw") == std::string::npos, "the password is in: %s", error.c_str ());
  }
  fail_unless (valid_rtsp_location ("rtsp://cam-7:99999/x", error) == false &&
      error.find ("1 to 65535") != std::string::npos, "%s", error.c_str ());
  const guint udp = GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST;
  fail_unless_equals_int (location_transports ("rtsp://c/x"), udp | GST_RTSP_LOWER_TRANS_TCP);
  fail_unless_equals_int (location_transports ("rtspu://c/x"), udp);
  fail_unless_equals_int (location_transports ("rtspt://c/x"), GST_RTSP_LOWER_TRANS_TCP);
  fail_unless (location_transports ("rtsps://c/x") & GST_RTSP_LOWER_TRANS_TCP);
  fail_unless (location_transports ("rtsps://c/x") & GST_RTSP_LOWER_TRANS_TLS);
  fail_if (location_transports ("rtsps://c/x") & GST_RTSP_LOWER_TRANS_UDP);
  fail_unless_equals_int (location_transports ("http://c/x"), 0);
}
GST_END_TEST;

GST_START_TEST (test_control_urls)
{
  const std::string base = "rtsp://cam-7:554/media/live";
  assert_text (control_url (base, ""), base.c_str ());
  assert_text (control_url (base, "*"), base.c_str ());
  assert_text (control_url (base, "trackID=1"), "rtsp://cam-7:554/media/live/trackID=1");
  assert_text (control_url (base + "/", "trackID=1"),
      "rtsp://cam-7:554/media/live/trackID=1");
  assert_text (control_url (base, "rtsp://10.0.0.9/other/track1"),
      "rtsp://10.0.0.9/other/track1");
  assert_text (control_url (base, "rtsps://cam-7/t"), "rtsps://cam-7/t");
  assert_text (control_url (base, "/media/live/trackID=2"),
      "rtsp://cam-7:554/media/live/trackID=2");
  assert_text (control_url ("rtsp://cam-7", "/x"), "rtsp://cam-7/x");
}
GST_END_TEST;

static const char *kTwoStreams =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
    "a=control:*\r\n"
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\na=control:trackID=0\r\n"
    "m=audio 0 RTP/AVP 0\r\na=control:rtsp://192.0.2.7/media/audio\r\n"
    "m=application 0 RTP/SAVP 107\r\na=rtpmap:107 vnd.onvif.metadata/90000\r\na=control:trackID=2\r\n";

GST_START_TEST (test_describe_two_streams)
{
  RtspDescription d;
  std::string error;
  fail_unless (describe_from_sdp (kTwoStreams, "rtsp://192.0.2.7/media/", d, error), "%s", error.c_str ());
  fail_unless_equals_int (d.streams.size (), 2);
  assert_text (d.aggregate, "rtsp://192.0.2.7/media/");
  assert_text (d.streams[0].control, "rtsp://192.0.2.7/media/trackID=0");
  assert_text (d.streams[0].description.encoding_name, "H264");
  fail_unless_equals_int (d.streams[0].description.clock_rate, 90000);
  fail_unless_equals_int (d.streams[0].description.payload, 96);
  const GstStructure *video = gst_caps_get_structure (d.streams[0].description.caps.get (), 0);
  fail_unless (gst_structure_has_name (video, "application/x-rtp"));
  fail_unless_equals_string (gst_structure_get_string (video, "packetization-mode"), "1");
  /* A static payload type without rtpmap: PCMU at 8000 Hz. */
  assert_text (d.streams[1].control, "rtsp://192.0.2.7/media/audio");
  assert_text (d.streams[1].description.encoding_name, "PCMU");
  fail_unless_equals_int (d.streams[1].description.clock_rate, 8000);
  /* SRTP left out, and said why. */
  fail_unless (d.skipped.find ("application (m= line 3)") != std::string::npos &&
      d.skipped.find ("RTP/SAVP") != std::string::npos, "%s", d.skipped.c_str ());
}
GST_END_TEST;

/* rtspsrc numbers a stream by its m= line: so does select-stream here,
 * also after a media left out. */
GST_START_TEST (test_describe_keeps_the_media_index)
{
  const std::string sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=x\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
      "m=application 0 RTP/SAVP 107\r\na=rtpmap:107 vnd.onvif.metadata/90000\r\na=control:trackID=0\r\n"
      "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";
  RtspDescription d;
  std::string error;
  fail_unless (describe_from_sdp (sdp, "rtsp://192.0.2.7/media/", d, error), "%s", error.c_str ());
  fail_unless_equals_int (d.streams.size (), 1);
  fail_unless_equals_int (d.streams[0].media, 1);
}
GST_END_TEST;

GST_START_TEST (test_describe_what_cannot_be_received)
{
  RtspDescription d;
  std::string error;
  /* A 200 with no body (the library would assert on it), and text that is no SDP. */
  fail_if (describe_from_sdp (std::string ("\0", 1), "rtsp://c/", d, error));
  fail_unless (error.find ("no SDP") != std::string::npos, "%s", error.c_str ());
  fail_if (describe_from_sdp ("this is not an SDP", "rtsp://c/", d, error));
  fail_unless (error.find ("no RTP stream") != std::string::npos, "%s", error.c_str ());
  const char *only_srtp = "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=c\r\nt=0 0\r\n"
      "m=video 0 RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n"
      "m=video 0 RTP/AVP 97\r\n";
  fail_if (describe_from_sdp (only_srtp, "rtsp://c/", d, error));
  fail_unless (error.find ("no RTP stream") != std::string::npos &&
      error.find ("RTP/SAVP") != std::string::npos && error.find ("no rtpmap") != std::string::npos,
      "%s", error.c_str ());
  /* A description with no session control: the base is the aggregate. */
  const char *one = "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\ns=c\r\nt=0 0\r\n"
      "m=video 0 RTP/AVP 26\r\n";
  fail_unless (describe_from_sdp (one, "rtsp://c/live", d, error), "%s", error.c_str ());
  assert_text (d.aggregate, "rtsp://c/live");
  assert_text (d.streams[0].control, "rtsp://c/live");
  assert_text (d.streams[0].description.encoding_name, "JPEG");
}
GST_END_TEST;

GST_START_TEST (test_transport_requests)
{
  TransportAsked udp;
  udp.rtp_port = 32546;
  udp.rtcp_port = 32547;
  assert_text (transport_request (udp), "RTP/AVP;unicast;client_port=32546-32547");
  TransportAsked tcp;
  tcp.tcp = true;
  tcp.rtp_channel = 2;
  tcp.rtcp_channel = 3;
  assert_text (transport_request (tcp), "RTP/AVP/TCP;unicast;interleaved=2-3");
}
GST_END_TEST;

GST_START_TEST (test_transport_replies_over_udp)
{
  TransportAsked asked;
  asked.rtp_port = 32546;
  asked.rtcp_port = 32547;
  SetupReply r;
  std::string error;
  fail_unless (parse_transport_reply ("RTP/AVP;unicast;client_port=32546-32547;server_port=6970-6971;"
      "ssrc=5C000001;source=192.0.2.8", asked, r, error), "%s", error.c_str ());
  fail_unless_equals_int (r.server_rtp_port, 6970);
  fail_unless_equals_int (r.server_rtcp_port, 6971);
  fail_unless (r.has_ssrc && r.ssrc == 0x5C000001);
  assert_text (r.source, "192.0.2.8");
  fail_if (r.tcp);
  /* server_port=0-1, none, or one port: as cameras write them. */
  fail_unless (parse_transport_reply ("RTP/AVP;unicast;client_port=32546-32547;server_port=0-1", asked, r, error));
  fail_unless (r.server_rtp_port == 0 && r.server_rtcp_port == 0);
  fail_unless (parse_transport_reply ("RTP/AVP;unicast;client_port=32546-32547", asked, r, error));
  fail_unless (r.server_rtp_port == 0 && !r.has_ssrc && r.source.empty ());
  fail_unless (parse_transport_reply ("RTP/AVP;unicast;client_port=32546-32547;server_port=7000", asked, r, error));
  fail_unless (r.server_rtp_port == 7000 && r.server_rtcp_port == 7001);
  /* No client_port in the answer: the pair asked. A list: the first is the choice. */
  fail_unless (parse_transport_reply ("RTP/AVP;unicast;server_port=7000-7001", asked, r, error));
  fail_unless (parse_transport_reply ("RTP/AVP;unicast;client_port=32546-32547;server_port=7000-7001,"
      "RTP/AVP/TCP;unicast;interleaved=0-1", asked, r, error), "%s", error.c_str ());
  fail_unless_equals_int (r.server_rtp_port, 7000);
  /* Refused: another pair, another transport, nothing that parses. */
  fail_if (parse_transport_reply ("RTP/AVP;unicast;client_port=5000-5001", asked, r, error));
  fail_unless (error.find ("client_port=5000-5001") != std::string::npos &&
      error.find ("32546-32547") != std::string::npos, "%s", error.c_str ());
  fail_if (parse_transport_reply ("RTP/AVP/TCP;unicast;interleaved=0-1", asked, r, error));
  fail_unless (error.find ("unicast UDP") != std::string::npos, "%s", error.c_str ());
  fail_if (parse_transport_reply ("", asked, r, error));
  fail_if (parse_transport_reply ("garbage;;;", asked, r, error));
  fail_unless (error.find ("does not parse") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_transport_replies_over_tcp)
{
  TransportAsked asked;
  asked.tcp = true;
  asked.rtp_channel = 0;
  asked.rtcp_channel = 1;
  SetupReply r;
  std::string error;
  fail_unless (parse_transport_reply ("RTP/AVP/TCP;unicast;interleaved=0-1", asked, r, error), "%s", error.c_str ());
  fail_unless (r.tcp && r.rtp_channel == 0 && r.rtcp_channel == 1);
  /* The camera's channels are its packets': taken. */
  fail_unless (parse_transport_reply ("RTP/AVP/TCP;unicast;interleaved=6-7", asked, r, error));
  fail_unless (r.rtp_channel == 6 && r.rtcp_channel == 7);
  fail_unless (parse_transport_reply ("RTP/AVP/TCP;unicast;interleaved=4", asked, r, error));
  fail_unless (r.rtp_channel == 4 && r.rtcp_channel == 5, "%d-%d", r.rtp_channel, r.rtcp_channel);
  fail_unless (parse_transport_reply ("RTP/AVP/TCP;unicast", asked, r, error));
  fail_unless (r.rtp_channel == 0 && r.rtcp_channel == 1);
  fail_if (parse_transport_reply ("RTP/AVP/TCP;unicast;interleaved=300-301", asked, r, error));
  fail_unless (error.find ("interleaved=300-301") != std::string::npos, "%s", error.c_str ());
  fail_if (parse_transport_reply ("RTP/AVP/TCP;unicast;interleaved=3-3", asked, r, error));
  fail_if (parse_transport_reply ("RTP/AVP;unicast;client_port=5000-5001", asked, r, error));
  fail_unless (error.find ("TCP") != std::string::npos, "%s", error.c_str ());
}
GST_END_TEST;

GST_START_TEST (test_headers_all_values)
{
  GstRTSPMessage *msg = nullptr;
  gst_rtsp_message_new_response (&msg, GST_RTSP_STS_OK, nullptr, nullptr);
  gst_rtsp_message_add_header (msg, GST_RTSP_HDR_PUBLIC, "OPTIONS, DESCRIBE");
  gst_rtsp_message_add_header (msg, GST_RTSP_HDR_PUBLIC, "GET_PARAMETER");
  assert_text (rtsp_header (msg, GST_RTSP_HDR_PUBLIC), "OPTIONS, DESCRIBE");
  assert_text (rtsp_header (msg, GST_RTSP_HDR_PUBLIC, true),
      "OPTIONS, DESCRIBE, GET_PARAMETER");
  assert_text (rtsp_header (msg, GST_RTSP_HDR_SESSION), "");
  gst_rtsp_message_free (msg);
}
GST_END_TEST;

static Suite *
rtsp_messages_suite (void)
{
  Suite *s = suite_create ("rtsp_messages");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_credentials_never_written);
  tcase_add_test (tc, test_locations_and_their_transports);
  tcase_add_test (tc, test_control_urls);
  tcase_add_test (tc, test_describe_two_streams);
  tcase_add_test (tc, test_describe_keeps_the_media_index);
  tcase_add_test (tc, test_describe_what_cannot_be_received);
  tcase_add_test (tc, test_transport_requests);
  tcase_add_test (tc, test_transport_replies_over_udp);
  tcase_add_test (tc, test_transport_replies_over_tcp);
  tcase_add_test (tc, test_headers_all_values);
  return s;
}

GST_CHECK_MAIN (rtsp_messages);
