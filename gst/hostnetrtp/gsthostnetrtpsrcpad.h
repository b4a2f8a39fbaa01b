/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — src_N, the pad of one stream.
 *
 * A ghost pad that outlives restarts of its element (gst_parse links a
 * sometimes pad once, so a new pad after NULL->PLAYING would be left
 * unlinked), and that tells its own stream's ports and statistics from any
 * language: `src.get_static_pad ("src_1").props.rtp_port` in Python,
 * deep-notify lines under `gst-launch-1.0 -v`. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_HOSTNET_RTP_SRC_PAD (gst_hostnet_rtp_src_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstHostnetRtpSrcPad, gst_hostnet_rtp_src_pad, GST, HOSTNET_RTP_SRC_PAD,
    GstGhostPad)

GstPad *gst_hostnet_rtp_src_pad_new (guint index, GstPadTemplate *templ);
/* Sets the stream's media, caps and bound ports (null, 0 when stopped);
 * notifies the ports. A caps query is answered with the stream's caps. */
void gst_hostnet_rtp_src_pad_set_stream (GstHostnetRtpSrcPad *pad, const gchar *media,
    const GstCaps *caps, guint rtp_port, guint rtcp_port);

G_END_DECLS
