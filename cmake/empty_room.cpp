// Compiled into a room that has no sources yet.
