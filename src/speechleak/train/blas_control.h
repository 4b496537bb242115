#pragma once
// OpenBLAS's own thread pool during training.
//
// Debian's OpenBLAS (pthreads build) runs every matrix product on its own threads, while ATen runs everything else
// (convolutions, norms, activations, their backward passes) on its OpenMP threads. Training alternates between the
// two every few hundred microseconds, and both pools spin-wait: on 2 cores a step of the test model took 10x as
// long with both pools at 2 threads as with OpenBLAS at 1 (tests/train, docs/performance.md). Training therefore
// gives the cores to ATen and runs BLAS single-threaded unless told otherwise.
namespace speechleak::train {

// Sets OpenBLAS's thread count for a scope and restores it; a no-op when the BLAS is not OpenBLAS (looked up at
// run time: Debian picks the BLAS through its alternatives system). n <= 0 leaves it unchanged.
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

}  // namespace speechleak::train
