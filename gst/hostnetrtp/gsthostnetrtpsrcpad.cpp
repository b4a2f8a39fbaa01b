/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — src_N, the pad of one stream. See gsthostnetrtpsrcpad.h. */
#include "gsthostnetrtpsrcpad.h"

#include "gsthostnetrtpsrc.h"

#include <string>

struct _GstHostnetRtpSrcPad {
  GstGhostPad parent;
  guint index;
  /* Written from state changes, read from any thread: under the object lock. */
  gchar *media;
  GstCaps *caps;  /* the stream's, without the payload type (any may come) */
  guint rtp_port;
  guint rtcp_port;
};

G_DEFINE_TYPE (GstHostnetRtpSrcPad, gst_hostnet_rtp_src_pad, GST_TYPE_GHOST_PAD);

enum {
  PROP_0,
  PROP_INDEX,
  PROP_MEDIA,
  PROP_RTP_PORT,
  PROP_RTCP_PORT,
  PROP_STATS,
  N_PROPS
};
static GParamSpec *pad_properties[N_PROPS];

/* Before data, a caps query gets the stream's caps (media, encoding,
 * clock-rate): what downstream can plan with, as rtpsrc's pad gives. */
static gboolean
query_caps (GstPad *pad, GstObject *parent, GstQuery *query) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC_PAD (pad);
  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return gst_pad_query_default (pad, parent, query);
  GstCaps *stream_caps = nullptr;
  GST_OBJECT_LOCK (pad);
  if (self->caps)
    stream_caps = gst_caps_ref (self->caps);
  GST_OBJECT_UNLOCK (pad);
  if (!stream_caps)
    return gst_pad_query_default (pad, parent, query);
  GstCaps *filter = nullptr;
  gst_query_parse_caps (query, &filter);
  GstCaps *result = filter ? gst_caps_intersect_full (filter, stream_caps, GST_CAPS_INTERSECT_FIRST)
      : gst_caps_ref (stream_caps);
  gst_query_set_caps_result (query, result);
  gst_caps_unref (result);
  gst_caps_unref (stream_caps);
  return TRUE;
}

GstPad *
gst_hostnet_rtp_src_pad_new (guint index, GstPadTemplate *templ)
{
  std::string name = "src_" + std::to_string (index);
  auto *pad = GST_HOSTNET_RTP_SRC_PAD (g_object_new (GST_TYPE_HOSTNET_RTP_SRC_PAD,
      "name", name.c_str (), "direction", GST_PAD_SRC, "template", templ, nullptr));
  pad->index = index;
  gst_pad_set_query_function (GST_PAD (pad), query_caps);
  return GST_PAD (pad);
}

void
gst_hostnet_rtp_src_pad_set_stream (GstHostnetRtpSrcPad *pad, const gchar *media,
    const GstCaps *caps, guint rtp_port, guint rtcp_port)
{
  GstCaps *any_payload = nullptr;
  if (caps) {
    any_payload = gst_caps_copy (caps);
    gst_structure_remove_field (gst_caps_get_structure (any_payload, 0), "payload");
  }
  GST_OBJECT_LOCK (pad);
  bool changed = pad->rtp_port != rtp_port || pad->rtcp_port != rtcp_port;
  g_free (pad->media);
  pad->media = g_strdup (media);
  gst_caps_replace (&pad->caps, nullptr);
  pad->caps = any_payload;
  pad->rtp_port = rtp_port;
  pad->rtcp_port = rtcp_port;
  GST_OBJECT_UNLOCK (pad);
  if (changed) {
    g_object_notify_by_pspec (G_OBJECT (pad), pad_properties[PROP_RTP_PORT]);
    g_object_notify_by_pspec (G_OBJECT (pad), pad_properties[PROP_RTCP_PORT]);
  }
}

static void
gst_hostnet_rtp_src_pad_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec) noexcept
{
  auto *pad = GST_HOSTNET_RTP_SRC_PAD (object);
  if (prop_id == PROP_STATS) {
    GstObject *parent = gst_object_get_parent (GST_OBJECT (pad));
    GstStructure *stats = parent && GST_IS_HOSTNET_RTP_SRC (parent)
        ? gst_hostnet_rtp_src_stream_stats (GST_HOSTNET_RTP_SRC (parent), pad->index) : nullptr;
    g_value_take_boxed (value, stats);
    if (parent)
      gst_object_unref (parent);
    return;
  }
  GST_OBJECT_LOCK (pad);
  switch (prop_id) {
    case PROP_INDEX: g_value_set_uint (value, pad->index); break;
    case PROP_MEDIA: g_value_set_string (value, pad->media); break;
    case PROP_RTP_PORT: g_value_set_uint (value, pad->rtp_port); break;
    case PROP_RTCP_PORT: g_value_set_uint (value, pad->rtcp_port); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK (pad);
}

static void
gst_hostnet_rtp_src_pad_finalize (GObject *object) noexcept
{
  g_free (GST_HOSTNET_RTP_SRC_PAD (object)->media);
  gst_caps_replace (&GST_HOSTNET_RTP_SRC_PAD (object)->caps, nullptr);
  G_OBJECT_CLASS (gst_hostnet_rtp_src_pad_parent_class)->finalize (object);
}

static void
gst_hostnet_rtp_src_pad_init (GstHostnetRtpSrcPad *)
{
}

static void
gst_hostnet_rtp_src_pad_class_init (GstHostnetRtpSrcPadClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  const auto ro = static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  gobject_class->get_property = gst_hostnet_rtp_src_pad_get_property;
  gobject_class->finalize = gst_hostnet_rtp_src_pad_finalize;

  pad_properties[PROP_INDEX] = g_param_spec_uint ("index", "Index",
      "The stream's index: the N of src_N and of the caps structure that describes it",
      0, G_MAXUINT, 0, ro);
  pad_properties[PROP_MEDIA] = g_param_spec_string ("media", "Media",
      "The stream's media (video, audio, ...)", nullptr, ro);
  pad_properties[PROP_RTP_PORT] = g_param_spec_uint ("rtp-port", "RTP port",
      "The stream's bound RTP port, from READY on (0 before); notified", 0, 65535, 0, ro);
  pad_properties[PROP_RTCP_PORT] = g_param_spec_uint ("rtcp-port", "RTCP port",
      "The stream's bound RTCP port (the RTP port with rtcp-mux), from READY on; notified",
      0, 65535, 0, ro);
  pad_properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "The stream's statistics, as the element's stats property gives them per stream",
      GST_TYPE_STRUCTURE, ro);
  g_object_class_install_properties (gobject_class, N_PROPS, pad_properties);
}
