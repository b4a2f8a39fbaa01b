/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — rtspsrc's own properties, signals and actions under its
 * names, so that a line or an application written for rtspsrc works with
 * the element's name changed (docs/migration.md says what each does here).
 * Most reach rtpbin or the RTSP session; the rest are refused with the
 * reason, or kept without effect where they have none here. */
#pragma once

#include <gst/gst.h>
#include <gst/rtsp/rtsp.h>

#include "owned.h"

#include <memory>
#include <string>

namespace hostnetrtp {

/* rtspsrc's defaults that moved with GStreamer's version (the running
 * one): its user-agent ("GStreamer/{VERSION}" from 1.24, the version
 * written out before), and rtpbin's max-rtcp-rtp-time-diff (-1 from 1.26). */
std::string default_user_agent ();
gint default_max_rtcp_rtp_time_diff ();

/* What an rtspsrc line set, with rtspsrc's defaults. Enums hold rtspsrc's
 * values (its buffer-mode "auto" is 3, as there). */
struct RtspsrcSettings {
  /* rtpbin's, live */
  gint buffer_mode = 3;  /* auto: slave for a live camera, as rtspsrc picks */
  bool ntp_sync = false;
  gint ntp_time_source = 0;
  bool rfc7273_sync = false;
  gint64 max_ts_offset = 3000000000;
  guint64 max_ts_offset_adjustment = 0;
  gint max_rtcp_rtp_time_diff = default_max_rtcp_rtp_time_diff ();
  bool add_reference_timestamp_meta = false;
  bool use_pipeline_clock = false;
  bool do_retransmission = true;
  guint probation = 2;
  std::shared_ptr<const GstStructure> sdes;  /* null: rtpbin's own */
  /* the session's, at start */
  bool do_rtcp = true;
  std::string user_agent = default_user_agent ();
  std::string proxy, proxy_id, proxy_pw;
  bool do_rtsp_keep_alive = true;
  guint retry = 20;
  guint64 connection_speed = 0;  /* kbit/s */
  bool short_header = false;
  gint nat_method = 1;           /* dummy: the hello packets */
  bool udp_reconnect = true;
  bool is_live = true;
  bool debug = false;
  gint default_rtsp_version = GST_RTSP_VERSION_1_0;
  bool ignore_x_server_reply = false;
  guint rtp_blocksize = 0;
  gint backchannel = 0;
  bool onvif_mode = false;
  bool onvif_rate_control = true;
  /* Which were set (a bit per property): only those reach rtpbin, whose
   * own defaults (and rules, e.g. ntp-sync's) stay otherwise. */
  guint64 set = 0;

  /* user-agent with {VERSION} filled in, as rtspsrc sends it. */
  std::string user_agent_sent () const;
};

/* Installs rtspsrc's properties from @first_id on; returns how many. */
guint rtspsrc_install_properties (GObjectClass *klass, guint first_id);
void rtspsrc_set_property (RtspsrcSettings &s, guint offset, const GValue *value);
void rtspsrc_get_property (const RtspsrcSettings &s, guint offset, GValue *value);
/* What a string property was set to ("" for NULL): for every set_property. */
std::string string_property_value (const GValue *value);

/* The rtpbin ones onto @rtpbin (at build, and live from the task); what
 * this GStreamer's rtpbin lacks is said in @missing. */
void rtspsrc_apply_to_rtpbin (GstElement *rtpbin, const RtspsrcSettings &s, guint n_sessions,
    std::string &missing);

/* Pull mode at NULL->READY: a value refused here, with what to do, or "". */
std::string rtspsrc_refusal (const RtspsrcSettings &s);
/* ... and values taken with a change the user is told of, or "". */
std::string rtspsrc_warning (const RtspsrcSettings &s);

/* rtspsrc's signals and actions (the actions' handlers are pull mode's,
 * element-pull.cpp). */
enum RtspsrcSignal {
  SIGNAL_HANDLE_REQUEST,
  SIGNAL_ON_SDP,
  SIGNAL_SELECT_STREAM,
  SIGNAL_NEW_MANAGER,
  SIGNAL_REQUEST_RTCP_KEY,
  SIGNAL_ACCEPT_CERTIFICATE,
  SIGNAL_BEFORE_SEND,
  SIGNAL_PUSH_BACKCHANNEL_BUFFER,
  SIGNAL_PUSH_BACKCHANNEL_SAMPLE,
  SIGNAL_GET_PARAMETER,
  SIGNAL_GET_PARAMETERS,
  SIGNAL_SET_PARAMETER,
  N_RTSPSRC_SIGNALS
};
extern guint rtspsrc_signals[N_RTSPSRC_SIGNALS];
void rtspsrc_install_signals (GObjectClass *klass);

/* rtspsrc's element message when an SSRC of stream @stream timed out in
 * its RTP session (RTCP's rule), with the cause as rtspsrc gives it. */
GstStructure *rtspsrc_timeout_structure (guint stream, guint ssrc);

}  // namespace hostnetrtp
