#include "speechleak/train/mfcc.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "speechleak/util/error.h"

namespace speechleak::train {
namespace {

at::Tensor tone(double freq, int64_t samples, double amp = 0.5) {
  auto n = at::arange(samples, at::kDouble);
  return (amp * at::sin(2 * M_PI * freq * n / 16000.0)).to(at::kFloat);
}

TEST(Mfcc, FramesAlignWithTheConvExtractor) {
  Mfcc m(MfccConfig{});
  EXPECT_EQ(m.frames_for(399), 0);
  EXPECT_EQ(m.frames_for(400), 1);
  EXPECT_EQ(m.frames_for(16000), 49);  // the standard extractor gives 49 frames for 1 s
  EXPECT_EQ(m(tone(440, 16000)).sizes(), (std::vector<int64_t>{49, 39}));
  EXPECT_EQ(m(tone(440, 300)).size(0), 0);
}

TEST(Mfcc, PureToneEnergyLandsInTheNearestMelBand) {
  Mfcc m(MfccConfig{});
  for (double f : {300.0, 1000.0, 2500.0, 5000.0}) {
    auto mel = m.log_mel(tone(f, 4000)).mean(0);  // [n_mels]
    const int got = static_cast<int>(mel.argmax().item<int64_t>());
    int nearest = 0;
    for (int b = 1; b < m.config().n_mels; ++b)
      if (std::abs(m.band_centre_hz(b) - f) < std::abs(m.band_centre_hz(nearest) - f)) nearest = b;
    EXPECT_LE(std::abs(got - nearest), 1) << f << " Hz: band " << got << ", nearest centre band " << nearest;
  }
}

TEST(Mfcc, MatchesTorchaudio) {
  // Reference: tests/train/make_mfcc_reference.py (/usr/bin/python3, torchaudio 0.13.1), the same signal.
  const float mfcc[13] = {-58.22697f, 24.44644f, 0.82670f, -0.41139f, 1.68368f, -13.20273f, -22.81084f,
                          -8.69195f,  5.77412f,  0.79802f, -5.29463f, 3.22065f,  9.97290f};
  const float delta[13] = {-0.61849f, -1.42885f, -2.15837f, -1.98754f, -1.50376f, -1.41744f, -0.95542f,
                           0.47694f,  1.73262f,  1.73762f,  1.23387f,  1.15607f,  0.97597f};
  const float delta2[13] = {0.18947f, 0.23723f, 0.09703f, -0.14369f, -0.28094f, -0.15351f, 0.09306f,
                            0.20396f, 0.15111f, 0.05366f, -0.06511f, -0.20486f, -0.25337f};
  auto n = at::arange(2000, at::kDouble);
  auto ramp = n / 2000.0;
  auto chirp = at::sin(2 * M_PI * (300 * n / 16000 + 0.5 * 2000 * at::pow(n / 16000, 2)));
  auto x = (ramp * (0.5 * at::sin(2 * M_PI * 440 * n / 16000) + 0.25 * at::sin(2 * M_PI * 1800 * n / 16000 + 0.3)) +
            0.2 * chirp).to(at::kFloat);
  auto f = Mfcc(MfccConfig{})(x);  // [6, 39]
  ASSERT_EQ(f.size(0), 6);
  for (int k = 0; k < 13; ++k) {
    EXPECT_NEAR(f[2][k].item<float>(), mfcc[k], 2e-3 * std::max(1.0f, std::abs(mfcc[k]))) << "mfcc " << k;
    EXPECT_NEAR(f[2][13 + k].item<float>(), delta[k], 2e-3) << "delta " << k;
    EXPECT_NEAR(f[2][26 + k].item<float>(), delta2[k], 2e-3) << "delta2 " << k;
  }
}

TEST(Mfcc, DeltasOfALinearRampAreItsSlope) {
  auto x = at::arange(10, at::kFloat).unsqueeze(0) * 2.0;  // [1, 10], slope 2
  auto d = compute_deltas(x, 5);
  EXPECT_NEAR(d[0][5].item<float>(), 2.0f, 1e-5);
  EXPECT_LT(d[0][0].item<float>(), 2.0f);  // replicate padding flattens the edge
}

TEST(Mfcc, RejectsBadConfig) {
  MfccConfig c;
  c.n_mfcc = 50;
  EXPECT_THROW(Mfcc{c}, InvalidArgument);
}

}  // namespace
}  // namespace speechleak::train
