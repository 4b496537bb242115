// c10d's Gloo headers are compiled only with USE_C10D_GLOO (Debian's libtorch is built with it; libgloo-dev has the
// headers they include).
#define USE_C10D_GLOO 1
#include "speechleak/runtime/process_group.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>
#include <exception>

#include "speechleak/util/error.h"
#include "speechleak/util/text.h"

namespace speechleak::runtime {

namespace {

// c10d's messages carry a stack trace after their first line.
std::string first_line(const char* what) {
  const std::string s(what);
  return std::string(text::trim(s.substr(0, s.find('\n'))));
}

}  // namespace

struct ProcessGroup::Impl {
  DistributedEnv env;
  std::chrono::milliseconds timeout{};
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

  [[noreturn]] void fail(const std::string& what, const std::exception& e) const {
    throw Error("distributed rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) + ": " +
                what + " failed: " + first_line(e.what()) +
                " (another process of the job exited, or did not answer within the " +
                std::to_string(timeout.count() / 1000) + " s timeout; see its log)");
  }
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what) const {
    try {
      work->wait(timeout);
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }
};

namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1";
}

// Gloo's transport: GLOO_SOCKET_IFNAME names the interface when set (as torch.distributed reads it); a loopback
// master means a one-host job; otherwise the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const DistributedEnv& env) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (is_loopback(env.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::shared_ptr<ProcessGroup> ProcessGroup::join(const DistributedEnv& env, std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  impl->env = env;
  impl->timeout = timeout;
  const std::string master = env.master_addr + ":" + std::to_string(env.master_port);
  c10d::TCPStoreOptions o;
  o.port = static_cast<uint16_t>(env.master_port);
  o.isServer = env.rank == 0;
  o.numWorkers = static_cast<size_t>(env.world_size);
  o.waitWorkers = true;
  o.timeout = timeout;
  try {
    impl->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, o);
  } catch (const std::exception& e) {
    const auto secs = std::to_string(timeout.count() / 1000);
    if (env.rank == 0)
      throw Error("distributed rank 0 of " + std::to_string(env.world_size) + ": could not host the rendezvous at " +
                  master + " or not all " + std::to_string(env.world_size) + " processes joined within " + secs +
                  " s: " + first_line(e.what()) + " (a port in use? set MASTER_PORT to a free one)");
    throw Error("distributed rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
                ": no rendezvous answered at " + master + " within " + secs + " s: " + first_line(e.what()) +
                " (is rank 0 running, and MASTER_ADDR/MASTER_PORT its address?)");
  }
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device(env));
    auto store = c10::make_intrusive<c10d::PrefixStore>("speechleak", impl->store);
    impl->group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
  } catch (const std::exception& e) {
    // Every process reached the store, yet the group did not connect: one of them left or is stuck before it.
    throw Error("distributed rank " + std::to_string(env.rank) + " of " + std::to_string(env.world_size) +
                ": the process group at " + master + " did not form within " +
                std::to_string(timeout.count() / 1000) + " s: " + first_line(e.what()) +
                " (did all " + std::to_string(env.world_size) + " processes start? see their logs)");
  }
  return std::shared_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const { return impl_->env.rank; }
int ProcessGroup::size() const { return impl_->env.world_size; }
const DistributedEnv& ProcessGroup::env() const { return impl_->env; }

namespace {

// Consecutive tensors of one dtype, flattened into one buffer of at most bucket_bytes (or one larger tensor).
struct Bucket {
  std::vector<size_t> members;
  at::Tensor flat;
};

std::vector<Bucket> make_buckets(const std::vector<at::Tensor>& tensors, int64_t bucket_bytes) {
  std::vector<Bucket> buckets;
  int64_t bytes = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    const int64_t b = t.numel() * static_cast<int64_t>(t.element_size());
    if (buckets.empty() || bytes + b > bucket_bytes ||
        tensors[buckets.back().members.front()].scalar_type() != t.scalar_type()) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().members.push_back(i);
    bytes += b;
  }
  for (auto& bucket : buckets) {
    std::vector<at::Tensor> parts;
    for (auto i : bucket.members) parts.push_back(tensors[i].reshape({-1}));
    bucket.flat = at::cat(parts);
  }
  return buckets;
}

void unpack(const std::vector<Bucket>& buckets, std::vector<at::Tensor>& tensors) {
  for (const auto& bucket : buckets) {
    int64_t offset = 0;
    for (auto i : bucket.members) {
      auto& t = tensors[i];
      t.copy_(bucket.flat.narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

}  // namespace

void ProcessGroup::run_in_buckets(std::vector<at::Tensor>& tensors, const std::string& what, int64_t bucket_bytes,
                                  const std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>& op) {
  auto buckets = make_buckets(tensors, bucket_bytes);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;  // all buckets in flight together
  for (auto& bucket : buckets) {
    std::vector<at::Tensor> one{bucket.flat};
    try {
      works.push_back(op(one));
    } catch (const std::exception& e) {
      impl_->fail(what, e);
    }
  }
  for (auto& w : works) impl_->wait(w, what);
  unpack(buckets, tensors);
}

void ProcessGroup::allreduce_sum(std::vector<at::Tensor>& tensors, const std::string& what, int64_t bucket_bytes) {
  run_in_buckets(tensors, "all-reduce of " + what, bucket_bytes,
                 [&](std::vector<at::Tensor>& one) { return impl_->group->allreduce(one); });
}

void ProcessGroup::broadcast(std::vector<at::Tensor>& tensors, int root, const std::string& what) {
  c10d::BroadcastOptions o;
  o.rootRank = root;
  run_in_buckets(tensors, "broadcast of " + what, int64_t{25} << 20,
                 [&](std::vector<at::Tensor>& one) { return impl_->group->broadcast(one, o); });
}

void ProcessGroup::barrier(const std::string& what) {
  try {
    impl_->wait(impl_->group->barrier(), "barrier (" + what + ")");
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    impl_->fail("barrier (" + what + ")", e);
  }
}

}  // namespace speechleak::runtime
