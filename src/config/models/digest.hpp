#pragma once
// Checksums of downloads and stored models, through OpenSSL's EVP digests.
#include <string>

namespace mlrt::config::detail {

std::string sha256_hex_of_file(const std::string& path);
std::string sha256_hex(const std::string& bytes);
// npm's integrity form: "sha512-" + base64 of the digest.
std::string sha512_integrity_of_file(const std::string& path);

}  // namespace mlrt::config::detail
