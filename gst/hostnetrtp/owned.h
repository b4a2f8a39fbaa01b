/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — RAII holders for GLib/GStreamer references.
 *
 * Every reference the plugin takes is held by one of these, so error paths
 * release what they hold by going out of scope instead of by hand. */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <memory>
#include <utility>

namespace hostnetrtp {

/* A deleter that calls the C free function given as template argument. */
template <auto FreeFn>
struct FreeWith {
  template <typename T>
  void operator() (T *ptr) const noexcept
  {
    if (ptr)
      FreeFn (ptr);
  }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, FreeWith<g_object_unref>>;
template <typename T>
using GstObjectPtr = std::unique_ptr<T, FreeWith<gst_object_unref>>;
using GCharPtr = std::unique_ptr<gchar, FreeWith<g_free>>;
using GErrorPtr = std::unique_ptr<GError, FreeWith<g_error_free>>;
using GStrvPtr = std::unique_ptr<gchar *, FreeWith<g_strfreev>>;

inline void caps_unref (GstCaps *caps) noexcept { gst_caps_unref (caps); }
inline void message_unref (GstMessage *msg) noexcept { gst_message_unref (msg); }
inline void buffer_unref (GstBuffer *buf) noexcept { gst_buffer_unref (buf); }
using GstCapsPtr = std::unique_ptr<GstCaps, FreeWith<caps_unref>>;
using GstMessagePtr = std::unique_ptr<GstMessage, FreeWith<message_unref>>;
using GstBufferPtr = std::unique_ptr<GstBuffer, FreeWith<buffer_unref>>;
using GstStructurePtr = std::unique_ptr<GstStructure, FreeWith<gst_structure_free>>;

/* A caps reference that copies by taking another reference: settings that
 * hold caps copy like plain values. */
class CapsRef {
 public:
  CapsRef () = default;
  explicit CapsRef (GstCaps *take) noexcept : caps_ (take) {}
  CapsRef (const CapsRef &other) noexcept : caps_ (other.caps_ ? gst_caps_ref (other.caps_) : nullptr) {}
  CapsRef &operator= (CapsRef other) noexcept
  {
    std::swap (caps_, other.caps_);
    return *this;
  }
  ~CapsRef ()
  {
    if (caps_)
      gst_caps_unref (caps_);
  }
  GstCaps *get () const noexcept { return caps_; }
  explicit operator bool () const noexcept { return caps_ != nullptr; }

 private:
  GstCaps *caps_ = nullptr;
};

/* A GObject reference that copies by taking another reference: settings
 * that hold objects (a TLS database) copy like plain values. */
template <typename T>
class ObjectRef {
 public:
  ObjectRef () = default;
  explicit ObjectRef (T *take) noexcept : object_ (take) {}
  ObjectRef (const ObjectRef &other) noexcept
      : object_ (other.object_ ? static_cast<T *> (g_object_ref (other.object_)) : nullptr) {}
  ObjectRef &operator= (ObjectRef other) noexcept
  {
    std::swap (object_, other.object_);
    return *this;
  }
  ~ObjectRef ()
  {
    if (object_)
      g_object_unref (object_);
  }
  T *get () const noexcept { return object_; }

 private:
  T *object_ = nullptr;
};

/* A shared holder of one reference to a GstObject (taken): shared where
 * several owners let go in an order nobody knows. */
template <typename T>
std::shared_ptr<T> share_object (T *take)
{
  return std::shared_ptr<T> (take, [] (T *object) noexcept {
    if (object)
      gst_object_unref (object);
  });
}

/* Takes a new reference on a borrowed object. */
template <typename T>
GObjectPtr<T> ref_object (T *obj) noexcept
{
  return GObjectPtr<T> (obj ? static_cast<T *> (g_object_ref (obj)) : nullptr);
}

}  // namespace hostnetrtp
