/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — plugin entry point. */
#include "gsthostnetrtpsrc.h"

static gboolean
plugin_init (GstPlugin *plugin) noexcept
{
  /* Primary: gst_element_make_from_uri, urisourcebin, uridecodebin and
   * playbin pick it for hostnetrtp://, the only scheme it claims. (Not
   * GST_ELEMENT_REGISTER: 1.20 brought it, and it does the same.) */
  return gst_element_register (plugin, "hostnetrtpsrc", GST_RANK_PRIMARY, GST_TYPE_HOSTNET_RTP_SRC);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, hostnetrtp,
    "RTP reception for replicas sharing a host network: race-free port pairs, no loopback binds",
    plugin_init, VERSION, "LGPL", "hostnetrtp", "gstreamer1.0-hostnetrtp")
