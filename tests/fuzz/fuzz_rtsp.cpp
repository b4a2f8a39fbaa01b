/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp fuzz target: what an RTSP camera sends, which is network
 * input. The first byte picks the reader: the SDP of a DESCRIBE answer
 * (with a Content-Base), the Transport of a SETUP answer (to a UDP or a TCP
 * request), a Location (redirect) as a location, a control URL.
 * Whatever the text: no crash, no GLib critical, and a refusal says why;
 * what is accepted is consistent (channels distinct, ports in range). */
#include "rtsp-messages.h"

#include <cstdlib>
#include <string>

using namespace hostnetrtp;

static void
abort_on_critical (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer) noexcept
{
  /* Warnings are the library's own about what the camera wrote (an
   * unknown Transport field): not ours to fail on. */
  if (!(level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)))
    return;
  g_printerr ("%s: %s\n", domain ? domain : "", message);
  abort ();
}

extern "C" int LLVMFuzzerInitialize (int *, char ***)
{
  gst_init (nullptr, nullptr);
  /* A critical is a bug of ours (an input the library must never be given). */
  g_log_set_default_handler (abort_on_critical, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  const std::string text (reinterpret_cast<const char *> (data) + 1, size - 1);
  std::string error;
  switch (data[0] % 4) {
    case 0: {
      RtspDescription d;
      if (describe_from_sdp (text, "rtsp://192.0.2.7/media/", d, error)) {
        if (d.streams.empty () || d.aggregate.empty ())
          abort ();
        for (const RtspStream &s : d.streams)
          if (!s.description.caps.get () || s.control.empty ())
            abort ();
      } else if (error.empty ()) {
        abort ();
      }
      break;
    }
    case 1: {
      TransportAsked asked;
      asked.tcp = data[0] & 4;
      asked.rtp_port = 32546;
      asked.rtcp_port = 32547;
      SetupReply reply;
      if (parse_transport_reply (text, asked, reply, error)) {
        if (reply.tcp != asked.tcp || (reply.tcp && reply.rtp_channel == reply.rtcp_channel))
          abort ();
        if (reply.server_rtp_port == 1 || (reply.server_rtp_port && !reply.server_rtcp_port))
          abort ();
      } else if (error.empty ()) {
        abort ();
      }
      break;
    }
    case 2: {
      const bool valid = valid_rtsp_location (text, error);
      if (!valid && error.empty ())
        abort ();
      if (valid && !location_transports (text))
        abort ();
      without_credentials (text);
      break;
    }
    default:
      control_url ("rtsp://192.0.2.7:554/media", text);
      break;
  }
  return 0;
}
