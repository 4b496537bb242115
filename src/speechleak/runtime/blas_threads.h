#pragma once
// Thread scheduling between ATen's OpenMP pool and the BLAS library's own pool.
//
// Debian's libtorch runs matrix products through the system BLAS (OpenBLAS, pthreads build) and everything else
// (convolutions via oneDNN, norms, softmax, activations and their backward passes) on ATen's OpenMP threads. Both
// pools spin-wait after their work, so where the two alternate every few milliseconds each pool's spinning threads
// steal the cores the other needs (docs/performance.md):
//  - inference (a transformer's forward pass): on 2 cores a HuBERT-base layer took 2.2x as long under background
//    load; with ATen at one thread during the transformer, the products still use every BLAS thread and only the
//    cheap elementwise work is serial (ScopedIntraOpThreads);
//  - training: a step of the test model took 10x as long with both pools at 2 threads as with OpenBLAS at 1, so
//    training gives the cores to ATen and runs BLAS single-threaded unless told otherwise (ScopedBlasThreads).
// The BLAS and the OpenMP runtime are looked up at run time (dlsym): Debian picks the BLAS through its alternatives
// system, and speechleak does not link OpenMP itself (libgomp comes with libtorch).

namespace speechleak::runtime {

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

// Sets OpenBLAS's thread count for a scope and restores it; a no-op when the BLAS is not OpenBLAS. n <= 0 leaves
// it unchanged.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int n);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

  static int current();  // OpenBLAS threads now; 0 when not OpenBLAS

 private:
  int previous_ = 0;
};

}  // namespace speechleak::runtime
