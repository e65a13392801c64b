{
  "targets": [
    {
      "target_name": "tripline_fanotify",
      "sources": ["src/addon.c", "src/group.c", "src/proc.c", "src/reader.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2", "-pthread"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
