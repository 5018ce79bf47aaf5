#include "identity/passwords.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cctype>
#include <stdexcept>

namespace lexos::core {

namespace {
constexpr uint32_t kT = 3, kM = 64 * 1024, kP = 1, kHashLen = 32, kSaltLen = 16;

std::size_t codepoints(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}
}  // namespace

namespace {
// Each Argon2 call takes 64 MiB and ~0.2 s of one core: at most a few run at once, the rest
// wait, so a burst of sign-ins cannot exhaust memory.
class HashSlots {
 public:
  HashSlots() : free_(std::max(2u, std::thread::hardware_concurrency())) {}
  void acquire() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    std::lock_guard<std::mutex> l(mu_);
    ++free_;
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned free_;
};
HashSlots& slots() {
  static HashSlots s;
  return s;
}
struct Slot {
  Slot() { slots().acquire(); }
  ~Slot() { slots().release(); }
};
}  // namespace

std::string hashPassword(const std::string& password) {
  Slot slot;
  std::array<unsigned char, kSaltLen> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("no randomness available");
  const size_t len = argon2_encodedlen(kT, kM, kP, kSaltLen, kHashLen, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(kT, kM, kP, password.data(), password.size(), salt.data(), salt.size(), kHashLen,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  return encoded;
}

bool verifyPassword(const std::string& password, const std::string& phc) {
  if (phc.rfind("$argon2id$", 0) != 0) return false;
  Slot slot;
  return argon2id_verify(phc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string passwordProblem(const std::string& password) {
  const auto n = codepoints(password);
  if (n < 12) return "Use at least 12 characters.";
  if (n > 128) return "Use at most 128 characters.";
  std::string lower = password;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  static const char* common[] = {"password1234", "123456789012", "qwertyuiopas", "passwordpassword",
                                 "letmeinletmein", "iloveyou1234", "administrator", "welcome12345",
                                 "password123456", "qwerty123456", "111111111111", "abcdefghijkl",
                                 "changeme1234", "lexoslexos12", "passw0rd1234", "1234567890123"};
  for (const char* c : common)
    if (lower == c) return "This password is too common; choose another.";
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; }))
    return "This password is too easy to guess; choose another.";
  return {};
}

}  // namespace lexos::core
