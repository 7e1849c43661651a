# Built by `npm install` (the package's install script) with node-gyp, as node-pty is.
# agents_native: an N-API addon giving Node what it lacks (close-on-exec on descriptors it did not
# open itself, ptys and programs started without a fork). agents-reaper: a ~1 MB helper process that ends the panes' sessions when the
# workspace dies, however it dies. agents-attach: a terminal attaching to a running workspace
# without starting Node (src/attach.c).
{
  "targets": [
    {
      "target_name": "agents_native",
      "sources": ["src/addon.c", "src/diff.c", "src/escapes.c", "src/fds.c", "src/inotify.c", "src/reader.c", "src/source.c", "src/spawn.c"],
      "libraries": ["-ldl"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "agents-attach",
      "type": "executable",
      "sources": ["src/attach.c", "src/text.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "agents-reaper",
      "type": "executable",
      "sources": ["src/reaper.c", "src/fds.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
