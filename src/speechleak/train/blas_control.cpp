#include "speechleak/train/blas_control.h"

#include <dlfcn.h>

namespace speechleak::train {
namespace {

using GetFn = int (*)();
using SetFn = void (*)(int);

GetFn get_fn() { return reinterpret_cast<GetFn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads")); }
SetFn set_fn() { return reinterpret_cast<SetFn>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")); }

}  // namespace

int ScopedBlasThreads::current() {
  auto get = get_fn();
  return get ? get() : 0;
}

ScopedBlasThreads::ScopedBlasThreads(int n) {
  auto get = get_fn();
  auto set = set_fn();
  if (!get || !set || n <= 0) return;
  previous_ = get();
  if (previous_ != n) set(n);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  auto set = set_fn();
  if (set && previous_ > 0 && ScopedBlasThreads::current() != previous_) set(previous_);
}

}  // namespace speechleak::train
