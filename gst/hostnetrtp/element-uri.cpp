/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — GstURIHandler for hostnetrtp://, and uri/location values.
 *
 * A hostnetrtp:// URI sets the properties it names (the authority's address
 * and port-range, then every query item) and leaves the others as they are,
 * so a pipeline server can add a URI to a template that already sets some.
 * All or nothing: every name and value is checked before any is set. Only
 * this scheme is claimed: rtp:// stays rtpsrc's and rtsp:// rtspsrc's (an
 * rtsp:// value of uri or location is pull mode's camera). */
#include "element-private.h"

#include "encodings.h"
#include "owned.h"
#include "peer.h"
#include "port-allocator.h"
#include "rtsp-messages.h"
#include "uri.h"

namespace hostnetrtp {

namespace {

/* A property value from a URI, ready to be set. */
struct UriSetting {
  GParamSpec *pspec;
  GValue value = G_VALUE_INIT;
  UriSetting (GParamSpec *p) : pspec (p) { g_value_init (&value, p->value_type); }
  UriSetting (UriSetting &&other) noexcept : pspec (other.pspec)
  {
    value = other.value;
    other.value = G_VALUE_INIT;
  }
  UriSetting (const UriSetting &) = delete;
  ~UriSetting () { if (G_IS_VALUE (&value)) g_value_unset (&value); }
};

/* What a value of @pspec looks like, for an error: "one of rewrite, error, allow". */
std::string expected (GParamSpec *pspec)
{
  if (G_IS_PARAM_SPEC_ENUM (pspec)) {
    GEnumClass *klass = G_PARAM_SPEC_ENUM (pspec)->enum_class;
    std::string nicks;
    for (guint i = 0; i < klass->n_values; i++)
      nicks += (i ? ", " : "") + std::string (klass->values[i].value_nick);
    return "one of " + nicks;
  }
  if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    return "true or false";
  auto range = [&] (auto min, auto max) {
    return "a whole number from " + std::to_string (min) + " to " + std::to_string (max);
  };
  if (G_IS_PARAM_SPEC_UINT (pspec))
    return range (G_PARAM_SPEC_UINT (pspec)->minimum, G_PARAM_SPEC_UINT (pspec)->maximum);
  if (G_IS_PARAM_SPEC_INT (pspec))
    return range (G_PARAM_SPEC_INT (pspec)->minimum, G_PARAM_SPEC_INT (pspec)->maximum);
  if (G_IS_PARAM_SPEC_UINT64 (pspec))
    return range (G_PARAM_SPEC_UINT64 (pspec)->minimum, G_PARAM_SPEC_UINT64 (pspec)->maximum);
  return std::string ("a ") + g_type_name (pspec->value_type);
}

bool uri_error (GError **error, GstURIError code, const std::string &text)
{
  /* Values come from the URI: never let invalid UTF-8 into a GError. */
  GCharPtr valid (g_utf8_make_valid (text.c_str (), -1));
  g_set_error (error, GST_URI_ERROR, code, "hostnetrtp URI: %s", valid.get ());
  return false;
}

/* A value the property would take but the start would refuse: refused now,
 * where the URI is set, with the reason. */
bool value_is_usable (const std::string &name, const std::string &text, std::string &why)
{
  if (name == "port-range") {
    PortRange range;
    return parse_port_range (text.c_str (), range, why);
  }
  if (name == "allowed-senders") {
    SenderFilter filter;
    return SenderFilter::parse (text, filter, why);
  }
  if (name == "encoding-name" && !text.empty ()) {
    GstCapsPtr caps (caps_for_encoding_name (text, why));
    return caps != nullptr;
  }
  if (name == "location") {
    if (is_hostnetrtp_uri (text)) {
      why = "location takes an rtsp:// URL, not another hostnetrtp:// URI";
      return false;
    }
    return text.empty () || valid_rtsp_location (text, why);
  }
  return true;
}

/* The setting for @given=@text, or an error that names what is wrong. */
bool setting_for (GObject *object, const std::string &given, const std::string &text,
    std::vector<UriSetting> &out, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), given.c_str ());
  /* The element's own settings only: not GstBin's or GstObject's (name,
   * parent, async-handling, message-forward), not uri itself. */
  const std::string name = pspec ? pspec->name : given;  /* user_pw is user-pw */
  if (!pspec || pspec->owner_type != GST_TYPE_HOSTNET_RTP_SRC || !(pspec->flags & G_PARAM_WRITABLE) ||
      (pspec->flags & G_PARAM_CONSTRUCT_ONLY) || name == "uri")
    return uri_error (error, GST_URI_ERROR_BAD_URI, "'" + given + "' is not a property it can "
        "set (gst-inspect-1.0 hostnetrtpsrc lists them)");
  /* A password is never written back, alone or inside a location. */
  const std::string shown = name == "user-pw" ? "..." : name == "location" ? without_credentials (text) : text;
  UriSetting setting (pspec);
  std::string why;
  bool ok;
  if (pspec->value_type == G_TYPE_STRING) {
    g_value_set_string (&setting.value, text.c_str ());  /* as written: no quotes, no NULL */
    ok = true;
  } else {
#if GST_CHECK_VERSION(1, 20, 0)
    ok = gst_value_deserialize_with_pspec (&setting.value, text.c_str (), pspec) &&
#else  /* GStreamer 1.18: by the value's type (no array property here) */
    ok = gst_value_deserialize (&setting.value, text.c_str ()) &&
#endif
        !g_param_value_validate (pspec, &setting.value);
    why = name + " takes " + expected (pspec);
  }
  if (ok && !value_is_usable (name, text, why))
    ok = false;
  if (!ok)
    return uri_error (error, GST_URI_ERROR_BAD_URI, name + "=" + shown + " is not valid: " + why);
  out.push_back (std::move (setting));
  return true;
}

}  // namespace

std::string uri_without_secrets (const std::string &uri)
{
  if (!is_hostnetrtp_uri (uri))
    return without_credentials (uri);  /* rtsp://, as given to uri */
  const size_t query = uri.find ('?');
  if (query == std::string::npos)
    return uri;
  const size_t fragment = uri.find ('#', query);
  std::string kept;
  const std::string items = uri.substr (query + 1, fragment == std::string::npos ? std::string::npos
      : fragment - query - 1);
  size_t from = 0;
  while (from <= items.size ()) {
    size_t to = items.find ('&', from);
    if (to == std::string::npos)
      to = items.size ();
    std::string item = items.substr (from, to - from);
    const size_t equals = item.find ('=');
    GCharPtr name (g_uri_unescape_string (item.substr (0, equals).c_str (), nullptr));
    const std::string n = name ? name.get () : "";
    if (n == "location" && equals != std::string::npos) {
      GCharPtr value (g_uri_unescape_string (item.substr (equals + 1).c_str (), nullptr));
      const std::string location = value ? value.get () : "";
      if (without_credentials (location) != location) {
        GCharPtr escaped (g_uri_escape_string (without_credentials (location).c_str (), nullptr, FALSE));
        item = item.substr (0, equals + 1) + escaped.get ();
      }
    }
    if (n != "user-pw" && n != "user_pw" && !item.empty ())
      kept += (kept.empty () ? "" : "&") + item;
    from = to + 1;
  }
  return uri.substr (0, query) + (kept.empty () ? "" : "?" + kept) +
      (fragment == std::string::npos ? "" : uri.substr (fragment));
}

bool apply_uri (GstHostnetRtpSrc *self, const std::string &text, GError **error)
{
  HostnetRtpUri uri;
  std::string why;
  if (!parse_uri (text, uri, why))
    return uri_error (error, GST_URI_ERROR_BAD_URI, why);
  std::vector<UriSetting> settings;
  GObject *object = G_OBJECT (self);
  if (!uri.address.empty () && !setting_for (object, "address", uri.address, settings, error))
    return false;
  if (!uri.port_range.empty () && !setting_for (object, "port-range", uri.port_range, settings, error))
    return false;
  for (const auto &[name, value] : uri.properties)
    if (!setting_for (object, name, value, settings, error))
      return false;
  {
    std::lock_guard<std::mutex> guard (self->priv->lock);
    if (self->priv->running)
      return uri_error (error, GST_URI_ERROR_BAD_STATE, std::string ("cannot change while "
          "hostnetrtpsrc is in ") + gst_element_state_get_name (GST_STATE (self)) +
          ": set it in the NULL state");
  }
  g_object_freeze_notify (object);
  for (auto &setting : settings)
    g_object_set_property (object, setting.pspec->name, &setting.value);
  {
    /* After the settings: a location among them must not clear the URI. */
    std::lock_guard<std::mutex> guard (self->priv->lock);
    self->priv->settings.uri = text;
    self->priv->settings.uri_error.clear ();
  }
  g_object_thaw_notify (object);
  return true;
}

}  // namespace hostnetrtp

using namespace hostnetrtp;

static GstURIType
uri_get_type (GType) noexcept
{
  return GST_URI_SRC;
}

static const gchar *const *
uri_get_protocols (GType) noexcept
{
  static const gchar *const protocols[] = {kUriScheme, nullptr};
  return protocols;
}

static gchar *
uri_get_uri (GstURIHandler *handler) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (handler);
  std::lock_guard<std::mutex> guard (self->priv->lock);
  const Settings &s = self->priv->settings;
  /* What anyone may read back: never a password. */
  if (!s.uri.empty ())
    return g_strdup (uri_without_secrets (s.uri).c_str ());
  if (s.location.empty ())
    return nullptr;
  /* Pull mode set through location (or uri=rtsp://...): the same, in this handler's scheme. */
  GCharPtr escaped (g_uri_escape_string (without_credentials (s.location).c_str (), nullptr, FALSE));
  return g_strconcat (kUriScheme, "://?location=", escaped.get (), nullptr);
}

static gboolean
uri_set_uri (GstURIHandler *handler, const gchar *uri, GError **error) noexcept
{
  return apply_uri (GST_HOSTNET_RTP_SRC (handler), uri ? uri : "", error);
}

void
gst_hostnet_rtp_src_uri_handler_init (gpointer g_iface, gpointer) noexcept
{
  auto *iface = static_cast<GstURIHandlerInterface *> (g_iface);
  iface->get_type = uri_get_type;
  iface->get_protocols = uri_get_protocols;
  iface->get_uri = uri_get_uri;
  iface->set_uri = uri_set_uri;
}
