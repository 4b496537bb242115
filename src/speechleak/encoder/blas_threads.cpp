#include "speechleak/encoder/blas_threads.h"

#include <dlfcn.h>

namespace speechleak::encoder {
namespace {

using IntFn = int (*)();
using SetFn = void (*)(int);

// libgomp comes with libtorch; looked up at run time because speechleak does not link OpenMP itself.
struct OpenMp {
  SetFn set_num_threads = reinterpret_cast<SetFn>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  IntFn get_max_threads = reinterpret_cast<IntFn>(::dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  bool available() const { return set_num_threads && get_max_threads; }
};

const OpenMp& openmp() {
  static const OpenMp omp;
  return omp;
}

}  // namespace

bool blas_has_own_thread_pool() {
  static const bool result = [] {
    // OpenBLAS: openblas_get_parallel() is 0 sequential, 1 pthreads, 2 OpenMP. Looked up at run time because the
    // BLAS is chosen by the system (Debian alternatives), not at link time.
    auto parallel = reinterpret_cast<IntFn>(::dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
    auto threads = reinterpret_cast<IntFn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    return parallel && threads && parallel() == 1 && threads() > 1;
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

}  // namespace speechleak::encoder
