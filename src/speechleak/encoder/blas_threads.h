#pragma once
// Thread scheduling between ATen's OpenMP pool and the BLAS library's own pool.
//
// Debian's libtorch runs matrix products through the system BLAS (OpenBLAS, pthreads build) and everything else
// (convolutions via oneDNN, norms, softmax, activations) on ATen's OpenMP threads. Both pools spin-wait after
// their work, so in a transformer, where the two alternate every few milliseconds, each pool's spinning threads
// steal the cores the other needs: on 2 cores a HuBERT-base layer took 2.2x as long under background load
// (docs/performance.md). With ATen limited to one thread during the transformer, the products still use every
// BLAS thread and only the cheap elementwise work is serial.

namespace speechleak::encoder {

// True when the BLAS library runs its own pthread pool with more than one thread (OpenBLAS pthreads, as Debian
// installs it); false for sequential or OpenMP BLAS builds, or a BLAS it cannot query.
bool blas_has_own_thread_pool();

// Sets the OpenMP thread count of the calling thread (what ATen's parallel ops use) for a scope, and restores it.
// Not at::set_num_threads: that also clears oneDNN's primitive cache and rebuilds the pthreadpool, which costs
// more than a small model's whole forward pass. No-op when the process has no OpenMP runtime.
class ScopedIntraOpThreads {
 public:
  explicit ScopedIntraOpThreads(int n);
  ~ScopedIntraOpThreads();
  ScopedIntraOpThreads(const ScopedIntraOpThreads&) = delete;
  ScopedIntraOpThreads& operator=(const ScopedIntraOpThreads&) = delete;

 private:
  int previous_;
};

}  // namespace speechleak::encoder
