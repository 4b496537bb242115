#pragma once
// libtorch's intra-op thread pool. Debian's libtorch starts with 1 thread; speechleak uses every available core
// unless told otherwise.

namespace speechleak::runtime {

// Cores this process may run on (sched_getaffinity), at least 1.
int available_cores();

// Sets libtorch's intra-op threads: n > 0 exactly n, n == 0 all available cores. Throws InvalidArgument for n < 0.
void set_torch_threads(int n);

// Applies the default (all cores) once, unless set_torch_threads() was called before. Torch-using library code
// calls this on entry so that library users get the documented default without a setup call.
void ensure_torch_threads();

int torch_threads();

}  // namespace speechleak::runtime
