/* hostnetrtp — plugin entry point. */
#include "gsthostnetrtpsrc.h"

static gboolean
plugin_init (GstPlugin *plugin) noexcept
{
  return GST_ELEMENT_REGISTER (hostnetrtpsrc, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, hostnetrtp,
    "RTP reception for replicas sharing a host network: race-free port pairs, no loopback binds",
    plugin_init, VERSION, "LGPL", "hostnetrtp", "Unknown package origin")
