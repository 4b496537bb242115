#pragma once
// The report's noise-masking section (docs/report.md): for every run that has noise-masking results, side by side,
// the Exact/AnyName table target vs control with Wilson intervals and the gap's p-value, the filters'
// precision-recall points, and examples of recovered names (original and masked hypothesis). Empty when no run has
// any (the section stays hidden).
#include <string>
#include <vector>

#include "speechleak/report/run_data.h"

namespace speechleak::report {

std::string noise_masking_section(const std::vector<RunData>& runs);

}  // namespace speechleak::report
