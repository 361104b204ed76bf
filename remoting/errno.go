package remoting

import "syscall"

// errTooManyFiles is retried by Accept with a backoff instead of stopping the server.
var errTooManyFiles = syscall.EMFILE
