#include "vault/master_keys.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lexos::core::vault {

namespace fs = std::filesystem;

namespace {

std::string errnoText() { return std::strerror(errno); }

std::string octal(unsigned mode) {
  char b[8];
  std::snprintf(b, sizeof b, "%04o", mode & 07777);
  return b;
}

// Reads a key file: 64 hex digits, optional surrounding white space.
Key readKeyFile(const std::string& path, bool checkMode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw MasterKeyError("vault.master_key_file: cannot read " + path + ": " + errnoText());
  if (checkMode && (st.st_mode & 077) != 0)
    throw MasterKeyError("vault.master_key_file: " + path + " has mode " + octal(st.st_mode) +
                         ": group or others may read or change the master key; run 'chmod 600 " + path +
                         "' (and make lexosd's user its owner)");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  try {
    if (text.size() != 64) throw std::invalid_argument("length");
    return keyFromBytes(fromHex(text));
  } catch (const std::exception&) {
    throw MasterKeyError("vault.master_key_file: " + path +
                         " is not a master key (expected 64 hexadecimal digits: 256 bits, as lexosd writes it)");
  }
}

std::string keyFileText(const Key& k) { return toHex(k.data(), k.size()) + "\n"; }

std::string utcStamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y%m%dT%H%M%SZ", &tm);
  return b;
}

}  // namespace

void syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("vault: cannot open folder " + dir + ": " + errnoText());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error("vault: fsync of folder " + dir + " failed: " + std::strerror(err));
}

void writeFileDurably(const std::string& path, const std::string& bytes, unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("vault: cannot create " + path + ": " + errnoText());
  const bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw std::runtime_error("vault: cannot write " + path + ": " + std::strerror(err));
  }
  syncDirectory(fs::path(path).parent_path().string());
}

std::string masterKeyId(const Key& key) {
  std::string in = "lexos-vault/v1/master-key-id ";
  in.append(reinterpret_cast<const char*>(key.data()), key.size());
  unsigned char md[32];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  return toHex(md, 8);
}

MasterKeys MasterKeys::load(const VaultConfig& cfg, bool mayCreate, const std::map<std::string, std::string>& env) {
  MasterKeys ring;
  auto add = [&ring](const Key& k, const std::string& path) {
    MasterKey m{masterKeyId(k), k, path};
    ring.keys_.emplace(m.id, m);
    return m;
  };
  auto cred = env.find("CREDENTIALS_DIRECTORY");
  if (cred != env.end() && !cred->second.empty() && fs::exists(fs::path(cred->second) / "lexos-master-key")) {
    // systemd owns the credential's file and its mode (readable by the service only).
    const std::string path = (fs::path(cred->second) / "lexos-master-key").string();
    ring.current_ = add(readKeyFile(path, false), path);
    ring.fromCredential_ = true;
    ring.file_ = path;
  } else {
    ring.file_ = cfg.master_key_file;
    const fs::path file(cfg.master_key_file);
    if (!fs::exists(file)) {
      if (!mayCreate)
        throw MasterKeyError("vault.master_key_file: " + cfg.master_key_file +
                             " does not exist; restore it from the master key's backup (docs/vault.md)");
      std::error_code ec;
      fs::create_directories(file.parent_path(), ec);
      ::chmod(file.parent_path().c_str(), 0700);
      const Key k = randomKey();
      writeFileDurably(cfg.master_key_file, keyFileText(k), 0600);
      ring.created_ = true;
    }
    ring.current_ = add(readKeyFile(cfg.master_key_file, true), cfg.master_key_file);
  }
  // What a rotation leaves beside the key file (see the header): readable, never current.
  const fs::path dir = fs::path(ring.file_).parent_path();
  const std::string stem = fs::path(ring.file_).filename().string();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == stem || name.rfind(stem + ".", 0) != 0) continue;
    const std::string rest = name.substr(stem.size() + 1);
    if (rest == "new" || rest.rfind("old-", 0) == 0) add(readKeyFile(e.path().string(), !ring.fromCredential_), e.path().string());
  }
  return ring;
}

const MasterKey* MasterKeys::find(const std::string& id) const {
  auto it = keys_.find(id);
  return it == keys_.end() ? nullptr : &it->second;
}

MasterKey MasterKeys::prepareNext() {
  if (fromCredential_)
    throw MasterKeyError("vault: the master key comes from the systemd credential " + file_ +
                         "; rotate it by running rotate-master-key without $CREDENTIALS_DIRECTORY against "
                         "vault.master_key_file, then load the new file as the credential (docs/vault.md)");
  const std::string next = file_ + ".new";
  Key k;
  if (fs::exists(next)) {
    k = readKeyFile(next, true);  // an earlier rotation stopped: finish it with the same key
  } else {
    k = randomKey();
    writeFileDurably(next, keyFileText(k), 0600);
  }
  MasterKey m{masterKeyId(k), k, next};
  keys_[m.id] = m;
  return m;
}

std::string MasterKeys::commitNext() {
  const std::string next = file_ + ".new";
  const std::string old = file_ + ".old-" + utcStamp();
  if (::link(file_.c_str(), old.c_str()) != 0)
    throw std::runtime_error("vault: cannot keep the old master key as " + old + ": " + errnoText());
  if (::rename(next.c_str(), file_.c_str()) != 0)
    throw std::runtime_error("vault: cannot rename " + next + " to " + file_ + ": " + errnoText());
  syncDirectory(fs::path(file_).parent_path().string());
  const Key k = readKeyFile(file_, true);
  current_ = MasterKey{masterKeyId(k), k, file_};
  keys_[current_.id] = current_;
  return old;
}

}  // namespace lexos::core::vault
