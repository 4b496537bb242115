// The launcher environment and the c10d process group: rendezvous, collectives and the errors a broken job gets.
// Processes are threads here (one process group each, over 127.0.0.1); tests/cli/launch_test.cpp runs real ones.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <map>
#include <string>
#include <thread>

#include "speechleak/runtime/distributed_env.h"
#include "speechleak/runtime/process_group.h"
#include "speechleak/util/error.h"

namespace speechleak::runtime {
namespace {

using namespace std::chrono_literals;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DistributedEnv, NoLauncherVariablesMeansOneProcess) {
  EXPECT_FALSE(distributed_env(env_of({})).has_value());
}

TEST(DistributedEnv, ReadsTorchrunVariables) {
  auto e = distributed_env(env_of({{"RANK", "2"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "0"},
                                   {"MASTER_ADDR", "10.0.0.5"}, {"MASTER_PORT", "29501"}}));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->rank, 2);
  EXPECT_EQ(e->world_size, 4);
  EXPECT_EQ(e->local_rank, 0);
  EXPECT_EQ(e->master_addr, "10.0.0.5");
  EXPECT_EQ(e->master_port, 29501);
  EXPECT_EQ(e->launcher, "torchrun");
  EXPECT_TRUE(e->distributed());
}

TEST(DistributedEnv, ReadsSlurmVariablesWithTheMasterFromTheNodeList) {
  auto e = distributed_env(env_of({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                                   {"SLURM_JOB_NODELIST", "gpu[007-010],cpu1"}, {"SLURM_JOB_ID", "123456"}}));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->rank, 5);
  EXPECT_EQ(e->world_size, 8);
  EXPECT_EQ(e->local_rank, 1);
  EXPECT_EQ(e->master_addr, "gpu007");
  EXPECT_EQ(e->master_port, 10000 + 123456 % 20000);
  EXPECT_EQ(e->launcher, "slurm");
}

TEST(DistributedEnv, TorchrunVariablesWinInsideASlurmAllocation) {
  auto e = distributed_env(env_of({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"SLURM_PROCID", "0"},
                                   {"SLURM_NTASKS", "1"}}));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->launcher, "torchrun");
  EXPECT_EQ(e->rank, 1);
}

TEST(DistributedEnv, FirstSlurmHost) {
  EXPECT_EQ(first_slurm_host("node01"), "node01");
  EXPECT_EQ(first_slurm_host("a,b"), "a");
  EXPECT_EQ(first_slurm_host("node[01-04,07],gpu3"), "node01");
  EXPECT_EQ(first_slurm_host("rack[2]-n[3-4]"), "rack2-n[3-4]");
  EXPECT_NE(error_of([] { first_slurm_host("node[01-04"); }).find("SLURM_JOB_NODELIST"), std::string::npos);
}

TEST(DistributedEnv, BadValuesNameTheVariable) {
  EXPECT_NE(error_of([] { distributed_env(env_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}})); })
                .find("RANK: expected an integer in [0, 1], got 2"),
            std::string::npos);
  EXPECT_NE(error_of([] { distributed_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "two"}})); }).find("WORLD_SIZE"),
            std::string::npos);
  EXPECT_NE(error_of([] { distributed_env(env_of({{"RANK", "0"}})); }).find("WORLD_SIZE"), std::string::npos);
  EXPECT_NE(error_of([] { distributed_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}})); }).find("MASTER_ADDR"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              distributed_env(env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"},
                                      {"MASTER_PORT", "70000"}}));
            }).find("MASTER_PORT"),
            std::string::npos);
  EXPECT_NE(error_of([] { distributed_env(env_of({{"SLURM_NTASKS", "2"}, {"SLURM_PROCID", "0"}})); })
                .find("SLURM_JOB_NODELIST"),
            std::string::npos);
}


DistributedEnv local_env(int rank, int world, int port) {
  DistributedEnv e;
  e.rank = rank, e.world_size = world, e.local_rank = rank;
  e.master_addr = "127.0.0.1", e.master_port = port, e.launcher = "test";
  return e;
}

// Runs body(rank, group) on `world` threads that joined one group; rethrows the first failure.
void run_group(int world, const std::function<void(int, ProcessGroup&)>& body) {
  const int port = free_local_port();
  std::vector<std::future<void>> done;
  for (int r = 0; r < world; ++r)
    done.push_back(std::async(std::launch::async, [=] {
      auto group = ProcessGroup::join(local_env(r, world, port), 20s);
      body(r, *group);
      group->barrier("end of test");
    }));
  for (auto& d : done) d.get();
}

TEST(ProcessGroup, AllReduceSumsInBucketsOfMixedTypesAndShapes) {
  run_group(3, [](int rank, ProcessGroup& g) {
    EXPECT_EQ(g.rank(), rank);
    EXPECT_EQ(g.size(), 3);
    std::vector<at::Tensor> t{at::full({2, 3}, rank + 1.0), at::full({5}, 10.0 * rank, at::kDouble),
                              at::arange(7, at::kFloat) * rank};
    g.allreduce_sum(t, "test tensors", /*bucket_bytes=*/16);  // a bucket per tensor, at least
    EXPECT_TRUE(at::equal(t[0], at::full({2, 3}, 6.0)));
    EXPECT_TRUE(at::equal(t[1], at::full({5}, 30.0, at::kDouble)));
    EXPECT_TRUE(at::equal(t[2], at::arange(7, at::kFloat) * 3));
    std::vector<at::Tensor> big{at::ones({1000}), at::ones({3})};
    g.allreduce_sum(big, "one bucket");
    EXPECT_EQ(big[0].sum().item<float>(), 3000.f);
    EXPECT_EQ(big[1].sum().item<float>(), 9.f);
  });
}

TEST(ProcessGroup, BroadcastMakesEveryProcessHoldTheRootsTensors) {
  run_group(2, [](int rank, ProcessGroup& g) {
    std::vector<at::Tensor> t{at::full({4, 4}, static_cast<float>(rank + 7)), at::full({3}, rank, at::kLong)};
    g.broadcast(t, 1, "weights");
    EXPECT_TRUE(at::equal(t[0], at::full({4, 4}, 8.f)));
    EXPECT_TRUE(at::equal(t[1], at::full({3}, 1, at::kLong)));
  });
}

TEST(ProcessGroup, AMissingProcessEndsTheRendezvousWithANamedError) {
  const int port = free_local_port();
  const auto message = error_of([&] { ProcessGroup::join(local_env(0, 2, port), 1500ms); });
  EXPECT_NE(message.find("rank 0 of 2"), std::string::npos) << message;
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << message;
  EXPECT_NE(message.find("within 1 s"), std::string::npos) << message;
}

TEST(ProcessGroup, AnUnreachableMasterIsNamed) {
  const int port = free_local_port();
  const auto message = error_of([&] { ProcessGroup::join(local_env(1, 2, port), 1500ms); });
  EXPECT_NE(message.find("rank 1 of 2: no rendezvous answered at 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << message;
}

TEST(ProcessGroup, APortInUseIsNamed) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  a.sin_port = 0;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  const auto message = error_of([&] { ProcessGroup::join(local_env(0, 2, port), 1500ms); });
  ::close(fd);
  EXPECT_NE(message.find("MASTER_PORT"), std::string::npos) << message;
}

TEST(ProcessGroup, APeerThatLeavesFailsTheNextCollectiveWithTheRankNamed) {
  const int port = free_local_port();
  std::promise<void> left;
  auto peer = std::async(std::launch::async, [&] {
    {
      auto g = ProcessGroup::join(local_env(1, 2, port), 10s);
      g->barrier("joined");
    }  // destroyed: its connections close
    left.set_value();
  });
  auto g = ProcessGroup::join(local_env(0, 2, port), 10s);
  g->barrier("joined");
  left.get_future().wait();
  peer.get();
  std::vector<at::Tensor> t{at::ones({8})};
  const auto message = error_of([&] { g->allreduce_sum(t, "gradients at step 3"); });
  EXPECT_NE(message.find("distributed rank 0 of 2: all-reduce of gradients at step 3 failed"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace speechleak::runtime
