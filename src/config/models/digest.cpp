#include "config/models/digest.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

#include "mlrt/error.hpp"

namespace mlrt::config::detail {

namespace {

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::vector<unsigned char> digest_file(const std::string& path, const EVP_MD* md) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Io, "cannot read '" + path + "' to check its checksum");
    Context ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
        throw Error(ErrorKind::Runtime, "OpenSSL cannot start a digest");
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (in.gcount() > 0)
            EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw Error(ErrorKind::Io, "reading '" + path + "' failed");
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx.get(), out.data(), &size);
    out.resize(size);
    return out;
}

std::string hex(const std::vector<unsigned char>& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (unsigned char b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}

}  // namespace

std::string sha256_hex_of_file(const std::string& path) {
    return hex(digest_file(path, EVP_sha256()));
}

std::string sha256_hex(const std::string& bytes) {
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, EVP_sha256(), nullptr);
    out.resize(size);
    return hex(out);
}

std::string sha512_integrity_of_file(const std::string& path) {
    const std::vector<unsigned char> d = digest_file(path, EVP_sha512());
    std::string b64(4 * ((d.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), d.data(),
                                  static_cast<int>(d.size()));
    b64.resize(static_cast<std::size_t>(n));
    return "sha512-" + b64;
}

}  // namespace mlrt::config::detail
