#pragma once
// A c10d process group (Gloo over a TCPStore rendezvous) behind a small interface: what data-parallel training and
// multi-process jobs need (sum all-reduce in buckets, broadcast, barrier), with errors that name the rank and the
// operation instead of a hang. Rank 0 hosts the store at MASTER_ADDR:MASTER_PORT.
//
// Collectives are blocking and must be called in the same order by every process. A peer that exits makes the
// others' next collective fail at once (its sockets close); one that stops responding makes them fail after the
// timeout.
#include <ATen/core/Tensor.h>

#include <c10/util/intrusive_ptr.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "speechleak/runtime/distributed_env.h"

namespace c10d {
class Work;
}

namespace speechleak::runtime {

class ProcessGroup {
 public:
  // Joins the job `env` describes: waits up to `timeout` for all world_size processes to reach the store. Throws
  // speechleak::Error naming the master address for a port rank 0 cannot listen on, a master no process answers
  // at, and processes that did not join in time.
  static std::shared_ptr<ProcessGroup> join(const DistributedEnv& env, std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;
  const DistributedEnv& env() const;

  // Sums the tensors (CPU, float or double, any shapes) over all processes, in place. Small tensors travel together
  // in flat buckets of at most bucket_bytes. `what` names the operation in errors ("gradients at step 12").
  void allreduce_sum(std::vector<at::Tensor>& tensors, const std::string& what, int64_t bucket_bytes = 25 << 20);
  // Every process's tensors become root's (in place).
  void broadcast(std::vector<at::Tensor>& tensors, int root, const std::string& what);
  void barrier(const std::string& what);

 private:
  struct Impl;
  // Flattens the tensors into buckets, starts `op` on each, waits for all and copies the results back.
  void run_in_buckets(std::vector<at::Tensor>& tensors, const std::string& what, int64_t bucket_bytes,
                      const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& op);
  explicit ProcessGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace speechleak::runtime
