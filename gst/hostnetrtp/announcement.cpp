/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — announcement. See announcement.h. */
#include "announcement.h"

#include <gst/sdp/sdp.h>

#include <cstdlib>
#include <cstring>
#include <glib/gstdio.h>
#include <map>
#include <mutex>
#include <sstream>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace hostnetrtp {

namespace {

void free_sdp_message (GstSDPMessage *msg) noexcept { gst_sdp_message_free (msg); }
void free_sdp_media (GstSDPMedia *media) noexcept { gst_sdp_media_free (media); }
using SdpMessagePtr = std::unique_ptr<GstSDPMessage, FreeWith<free_sdp_message>>;
using SdpMediaPtr = std::unique_ptr<GstSDPMedia, FreeWith<free_sdp_media>>;

const char *address_type (const std::string &address)
{
  return address.find (':') == std::string::npos ? "IP4" : "IP6";
}

/* SDP fields are space-separated: no spaces inside one. */
std::string sdp_token (std::string text)
{
  for (char &c : text)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
      c = '_';
  return text.empty () ? "-" : text;
}

/* When process @pid started, in clock ticks after boot (/proc/PID/stat
 * field 22); 0 if there is no such process or it has exited (a zombie). */
guint64 process_start_ticks (int pid)
{
  gchar *stat = nullptr;
  std::string path = "/proc/" + std::to_string (pid) + "/stat";
  if (!g_file_get_contents (path.c_str (), &stat, nullptr, nullptr))
    return 0;
  GCharPtr owned (stat);
  const char *after_name = std::strrchr (stat, ')');  /* the name may hold spaces */
  if (!after_name)
    return 0;
  std::istringstream fields (after_name + 1);
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; i++) {
    if (i == 3 && (field == "Z" || field == "X"))
      return 0;
    if (i == 22)
      return g_ascii_strtoull (field.c_str (), nullptr, 10);
  }
  return 0;
}

GstStructure *stream_structure (const AnnouncedStream &s, guint index)
{
  return gst_structure_new ("stream", "index", G_TYPE_UINT, index,
      "media", G_TYPE_STRING, s.media.c_str (), "encoding-name", G_TYPE_STRING,
      s.encoding_name.c_str (), "payload", G_TYPE_INT, s.payload, "clock-rate", G_TYPE_INT,
      s.clock_rate, "rtp-port", G_TYPE_UINT, s.rtp_port, "rtcp-port", G_TYPE_UINT, s.rtcp_port,
      nullptr);
}

}  // namespace

GstStructure *announcement_structure (const Announcement &a, const GstStructure *extra)
{
  GstStructure *msg = gst_structure_new (kAllocationMessageName,
      "address", G_TYPE_STRING, a.bound_address.c_str (),
      "advertise-address", G_TYPE_STRING, a.advertise_address.c_str (),
      "rtcp-mux", G_TYPE_BOOLEAN, a.rtcp_mux,
      "multicast", G_TYPE_BOOLEAN, a.multicast,
      "rtp-port", G_TYPE_UINT, a.streams.empty () ? 0u : a.streams[0].rtp_port,
      "rtcp-port", G_TYPE_UINT, a.streams.empty () ? 0u : a.streams[0].rtcp_port,
      "n-streams", G_TYPE_UINT, guint (a.streams.size ()),
      nullptr);
  GValue streams = G_VALUE_INIT;
  gst_value_array_init (&streams, a.streams.size ());
  for (size_t i = 0; i < a.streams.size (); i++) {
    GstStructurePtr st (stream_structure (a.streams[i], guint (i)));
    std::string field = "stream-" + std::to_string (i);
    gst_structure_set (msg, field.c_str (), GST_TYPE_STRUCTURE, st.get (), nullptr);
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    gst_value_set_structure (&v, st.get ());
    gst_value_array_append_and_take_value (&streams, &v);
  }
  gst_structure_take_value (msg, "streams", &streams);
  if (extra)
    gst_structure_foreach (extra, [] (GQuark field, const GValue *value, gpointer m) noexcept -> gboolean {
      gst_structure_id_set_value (static_cast<GstStructure *> (m), field, value);
      return TRUE;
    }, msg);
  return msg;
}

SdpWriter SdpWriter::self ()
{
  SdpWriter w;
  w.pid = getpid ();
  w.start_ticks = process_start_ticks (w.pid);
  const char *pod = g_getenv ("POD_NAME");
  w.pod = pod ? pod : "";
  w.host = g_get_host_name ();
  return w;
}

bool SdpWriter::from_sdp (const std::string &sdp, SdpWriter &w)
{
  const std::string key = "a=x-hostnetrtp-writer:";
  auto at = sdp.find (key);
  if (at == std::string::npos)
    return false;
  auto end = sdp.find_first_of ("\r\n", at);
  std::istringstream fields (sdp.substr (at + key.size (), end - at - key.size ()));
  std::string field;
  w = SdpWriter ();
  while (fields >> field) {
    auto eq = field.find ('=');
    if (eq == std::string::npos)
      continue;
    std::string name = field.substr (0, eq), value = field.substr (eq + 1);
    if (name == "pid")
      w.pid = std::atoi (value.c_str ());
    else if (name == "start")
      w.start_ticks = g_ascii_strtoull (value.c_str (), nullptr, 10);
    else if (name == "pod")
      w.pod = value;
    else if (name == "host")
      w.host = value;
  }
  return w.pid > 0;
}

bool SdpWriter::alive () const
{
  return pid > 0 && process_start_ticks (pid) == start_ticks && start_ticks != 0;
}

bool announcement_sdp (const Announcement &a, std::string &sdp, std::string &error)
{
  if (a.advertise_address.empty ()) {
    error = "no address to write into the SDP: set advertise-address";
    return false;
  }
  GstSDPMessage *raw = nullptr;
  gst_sdp_message_new (&raw);
  SdpMessagePtr msg (raw);
  const char *type = address_type (a.advertise_address);
  const SdpWriter writer = SdpWriter::self ();
  gst_sdp_message_set_version (raw, "0");
  /* o=: who (pod, else host) and a session id unique to this start. */
  std::string user = sdp_token (writer.pod.empty () ? writer.host : writer.pod);
  std::string session_id = std::to_string (g_get_real_time ());
  gst_sdp_message_set_origin (raw, user.c_str (), session_id.c_str (), "1", "IN", type,
      a.advertise_address.c_str ());
  gst_sdp_message_set_session_name (raw, "hostnetrtpsrc");
  gst_sdp_message_set_connection (raw, "IN", type, a.advertise_address.c_str (),
      a.multicast ? 64 : 0, 0);
  gst_sdp_message_add_time (raw, "0", "0", nullptr);
  gst_sdp_message_add_attribute (raw, "tool", "hostnetrtpsrc");
  std::string who = "pid=" + std::to_string (writer.pid) + " start=" +
      std::to_string (writer.start_ticks) + " host=" + sdp_token (writer.host);
  if (!writer.pod.empty ())
    who += " pod=" + sdp_token (writer.pod);
  gst_sdp_message_add_attribute (raw, "x-hostnetrtp-writer", who.c_str ());
  for (const AnnouncedStream &s : a.streams) {
    GstSDPMedia *media_raw = nullptr;
    gst_sdp_media_new (&media_raw);
    SdpMediaPtr media (media_raw);
    if (gst_sdp_media_set_media_from_caps (s.caps, media_raw) != GST_SDP_OK) {
      GCharPtr text (gst_caps_to_string (s.caps));
      error = std::string ("cannot describe caps '") + text.get () + "' in SDP";
      return false;
    }
    gst_sdp_media_set_proto (media_raw, "RTP/AVP");
    gst_sdp_media_set_port_info (media_raw, s.rtp_port, 1);
    if (a.rtcp_mux)
      gst_sdp_media_add_attribute (media_raw, "rtcp-mux", "");
    else
      gst_sdp_media_add_attribute (media_raw, "rtcp", std::to_string (s.rtcp_port).c_str ());
    gst_sdp_media_add_attribute (media_raw, "recvonly", "");
    gst_sdp_message_add_media (raw, media_raw);  /* copies */
  }
  GCharPtr text (gst_sdp_message_as_text (raw));
  sdp = text.get ();
  return true;
}

bool expand_sdp_path (const std::string &pattern, guint rtp_port, std::string &path,
    std::string &error)
{
  const char *pod = g_getenv ("POD_NAME");
  const std::string pid = std::to_string (getpid ());
  const std::pair<std::string, std::string> placeholders[] = {
    {"rtp-port", std::to_string (rtp_port)},
    {"pid", pid},
    {"pod", pod && *pod ? std::string (pod) : std::string (g_get_host_name ()) + "-" + pid},
  };
  path.clear ();
  for (size_t i = 0; i < pattern.size ();) {
    if (pattern[i] != '{') {
      path += pattern[i++];
      continue;
    }
    auto close = pattern.find ('}', i);
    std::string name = pattern.substr (i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
    const std::string *value = nullptr;
    for (const auto &[key, v] : placeholders)
      if (close != std::string::npos && name == key)
        value = &v;
    if (!value) {
      error = "sdp-file '" + pattern + "' has an unknown placeholder '" +
          pattern.substr (i, close == std::string::npos ? std::string::npos : close - i + 1) +
          "': the known ones are {rtp-port}, {pid} and {pod}";
      return false;
    }
    path += *value;
    i = close + 1;
  }
  return true;
}

namespace {

/* Receivers that share a folder write and remove their SDPs one at a time:
 * "is it still ours? then remove it" must not interleave with another's
 * replacement. flock () on the folder itself leaves no lock file behind. */
class FolderLock {
 public:
  explicit FolderLock (const std::string &path)
  {
    GCharPtr dir (g_path_get_dirname (path.c_str ()));
    fd_ = open (dir.get (), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ >= 0)
      flock (fd_, LOCK_EX);
  }
  ~FolderLock ()
  {
    if (fd_ >= 0)
      close (fd_);  /* releases the lock */
  }
  FolderLock (const FolderLock &) = delete;
  FolderLock &operator= (const FolderLock &) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

bool write_sdp_file (const std::string &path, const std::string &contents, std::string &error)
{
  FolderLock lock (path);
  if (g_file_test (path.c_str (), G_FILE_TEST_IS_DIR)) {
    error = "sdp-file '" + path + "' is a folder: give a file in it, e.g. " + path +
        (path.back () == '/' ? "" : "/") + "{rtp-port}.sdp";
    return false;
  }
  gchar *existing = nullptr;
  if (g_file_get_contents (path.c_str (), &existing, nullptr, nullptr)) {
    GCharPtr owned (existing);
    SdpWriter other;
    if (SdpWriter::from_sdp (existing, other) && other.alive () && !(other == SdpWriter::self ())) {
      error = "sdp-file '" + path + "' is the SDP of another running receiver (pid " +
          std::to_string (other.pid) + (other.pod.empty () ? "" : ", pod " + other.pod) +
          "): give each replica a file of its own, e.g. sdp-file=/run/hostnetrtp/{rtp-port}.sdp";
      return false;
    }
  }
  GError *err = nullptr;
  if (!g_file_set_contents_full (path.c_str (), contents.data (),
          static_cast<gssize> (contents.size ()), G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err)) {
    GErrorPtr owned (err);
    error = "cannot write sdp-file '" + path + "': " + err->message +
        " (does the folder exist and is it writable?)";
    return false;
  }
  return true;
}

namespace {

std::mutex claims_lock;
std::map<std::string, const void *> &claims ()
{
  static std::map<std::string, const void *> held;
  return held;
}

}  // namespace

bool claim_sdp_path (const std::string &path, const void *writer, std::string &error)
{
  std::lock_guard<std::mutex> guard (claims_lock);
  auto [at, inserted] = claims ().emplace (path, writer);
  if (!inserted && at->second != writer) {
    error = "sdp-file '" + path + "' is written by another hostnetrtpsrc of this process: give "
        "each element a file of its own, e.g. sdp-file=/run/hostnetrtp/{rtp-port}.sdp";
    return false;
  }
  return true;
}

void release_sdp_path (const std::string &path, const void *writer)
{
  std::lock_guard<std::mutex> guard (claims_lock);
  auto at = claims ().find (path);
  if (at != claims ().end () && at->second == writer)
    claims ().erase (at);
}

bool remove_sdp_file_if_ours (const std::string &path, const std::string &contents)
{
  FolderLock lock (path);
  gchar *now = nullptr;
  gsize size = 0;
  if (!g_file_get_contents (path.c_str (), &now, &size, nullptr))
    return false;
  GCharPtr owned (now);
  if (std::string (now, size) != contents)
    return false;  /* another writer replaced it since: theirs now */
  return g_unlink (path.c_str ()) == 0;
}

}  // namespace hostnetrtp
