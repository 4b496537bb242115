#include "speechleak/runtime/blas_threads.h"

#include <dlfcn.h>

namespace speechleak::runtime {
namespace {

using IntFn = int (*)();
using SetFn = void (*)(int);

template <typename Fn>
Fn symbol(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}

struct OpenMp {
  SetFn set_num_threads = symbol<SetFn>("omp_set_num_threads");
  IntFn get_max_threads = symbol<IntFn>("omp_get_max_threads");
  bool available() const { return set_num_threads && get_max_threads; }
};

const OpenMp& openmp() {
  static const OpenMp omp;
  return omp;
}

struct OpenBlas {
  IntFn parallel = symbol<IntFn>("openblas_get_parallel");  // 0 sequential, 1 pthreads, 2 OpenMP
  IntFn get_threads = symbol<IntFn>("openblas_get_num_threads");
  SetFn set_threads = symbol<SetFn>("openblas_set_num_threads");
};

const OpenBlas& openblas() {
  static const OpenBlas blas;
  return blas;
}

}  // namespace

bool blas_has_own_thread_pool() {
  static const bool result = [] {
    const auto& b = openblas();
    return b.parallel && b.get_threads && b.parallel() == 1 && b.get_threads() > 1;
  }();
  return result;
}

ScopedIntraOpThreads::ScopedIntraOpThreads(int n) : previous_(0) {
  const auto& omp = openmp();
  if (!omp.available()) return;
  previous_ = omp.get_max_threads();
  if (n != previous_) omp.set_num_threads(n);
}

ScopedIntraOpThreads::~ScopedIntraOpThreads() {
  const auto& omp = openmp();
  if (omp.available() && previous_ > 0 && omp.get_max_threads() != previous_) omp.set_num_threads(previous_);
}

int ScopedBlasThreads::current() {
  const auto& b = openblas();
  return b.get_threads ? b.get_threads() : 0;
}

ScopedBlasThreads::ScopedBlasThreads(int n) {
  const auto& b = openblas();
  if (!b.get_threads || !b.set_threads || n <= 0) return;
  previous_ = b.get_threads();
  if (previous_ != n) b.set_threads(n);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  const auto& b = openblas();
  if (b.set_threads && previous_ > 0 && current() != previous_) b.set_threads(previous_);
}

}  // namespace speechleak::runtime
