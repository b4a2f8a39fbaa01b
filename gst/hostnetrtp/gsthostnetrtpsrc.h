/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the hostnetrtpsrc element. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_HOSTNET_RTP_SRC (gst_hostnet_rtp_src_get_type ())
G_DECLARE_FINAL_TYPE (GstHostnetRtpSrc, gst_hostnet_rtp_src, GST, HOSTNET_RTP_SRC, GstBin)


/* Stream @index's statistics (for its src pad's stats property). */
GstStructure *gst_hostnet_rtp_src_stream_stats (GstHostnetRtpSrc *self, guint index);

G_END_DECLS
