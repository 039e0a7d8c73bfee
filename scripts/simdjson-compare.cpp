// simdjson-compare: the user CPU simdjson spends validating every line of an NDJSON file,
// single-threaded, as a yardstick for Tripline's validator and JSON scanner
// (scripts/compare-simdjson runs both). A benchmark peer only: the product does not use it.
//
// Build: g++ -std=c++17 -O3 -march=native -o simdjson-compare simdjson-compare.cpp -lsimdjson
//        (simdjson 3.x; Debian: libsimdjson-dev)
// Usage: simdjson-compare dom|dom+dups|ondemand+dups FILE
//
// A line is accepted only if it is one JSON value whose root is an object, as Tripline requires.
//   dom            DOM parse of each line.
//   dom+dups       dom, then a walk rejecting any object with a duplicate key (compared unescaped),
//                  since Elasticsearch rejects such documents.
//   ondemand+dups  on-demand traversal visiting every value (on-demand checks only what it visits),
//                  with the same duplicate-key check.
// simdjson also rejects valid JSON it cannot represent: integers >= 2^64, doubles that overflow.
//
// The file is read and split at '\n' before the timed region (the loop over the lines). Output,
// one line: mode file active_impl lines bytes accepted rejected secs user_s user_s_per_GiB, as
// key=value; bytes excludes the '\n's, secs is wall time, user_s the timed region's user CPU.
#include "simdjson.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

// dom::parser's default depth limit; the on-demand walk enforces the same one.
static constexpr size_t kMaxDepth = DEFAULT_MAX_DEPTH;

// 64-bit multiply-fold hash of a key. Never reads outside [p, p + n): a line's keys may end at
// the end of the buffer's data.
static inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t product = (__uint128_t)(a ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
  return (uint64_t)product ^ (uint64_t)(product >> 64);
}
static inline uint64_t hash_key(const char *p, size_t n) {
  uint64_t h = 0x8ebc6af09c88c6e3ULL ^ n;
  while (n >= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    h = mix(a ^ h, b);
    p += 16;
    n -= 16;
  }
  uint64_t a = 0, b = 0;
  if (n >= 8) {  // two loads that overlap when n < 16
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = ((uint64_t)(uint8_t)p[0] << 16) | ((uint64_t)(uint8_t)p[n >> 1] << 8) | (uint8_t)p[n - 1];
  }
  return mix(a ^ h, b ^ 0x589965cc75374cc3ULL);
}

// The keys seen so far in one object. Objects known to hold few keys (the DOM tape gives the
// count) are scanned linearly, which beat hashing there; the others go to an open-addressing
// table whose slots a generation stamp invalidates, so nothing is cleared between objects.
// The keys are views into the parser's buffers, valid until the next line is parsed.
class KeySet {
 public:
  KeySet() { few_.reserve(kLinearMax); }

  // key_count 0: unknown (on-demand), so hash from the start.
  void begin(size_t key_count) {
    linear_ = key_count != 0 && key_count <= kLinearMax;
    if (linear_) {
      few_.clear();
      return;
    }
    size_t slot_count = 16;
    while (slot_count < 2 * (key_count ? key_count : kGuessedKeyCount)) slot_count <<= 1;
    if (slots_.size() < slot_count) slots_.assign(slot_count, Slot{});
    mask_ = uint32_t(slot_count - 1);  // may use a prefix of a table a larger object grew
    count_ = 0;
    next_generation();
  }

  // Adds key; true if it was already there.
  bool insert_is_duplicate(std::string_view key) {
    if (linear_) {
      for (std::string_view seen : few_)
        if (seen.size() == key.size() && std::memcmp(seen.data(), key.data(), key.size()) == 0) return true;
      few_.push_back(key);
      return false;
    }
    if (++count_ * 2 > size_t(mask_) + 1) grow();
    uint64_t hash = hash_key(key.data(), key.size());
    for (uint32_t i = uint32_t(hash) & mask_;; i = (i + 1) & mask_) {
      Slot &slot = slots_[i];
      if (slot.generation != generation_) {
        slot = Slot{hash, key.data(), uint32_t(key.size()), generation_};
        return false;
      }
      // Equal hashes are not proof: compare the keys themselves.
      if (slot.hash == hash && slot.length == key.size() && std::memcmp(slot.key, key.data(), key.size()) == 0)
        return true;
    }
  }

 private:
  static constexpr size_t kLinearMax = 8;
  static constexpr size_t kGuessedKeyCount = 64;
  struct Slot {
    uint64_t hash = 0;
    const char *key = nullptr;
    uint32_t length = 0;
    uint32_t generation = 0;
  };

  void next_generation() {
    if (++generation_ == 0) {  // wrapped: stale stamps could match again, so really clear
      for (Slot &slot : slots_) slot.generation = 0;
      generation_ = 1;
    }
  }

  // Only when the guess was too small (on-demand does not know the key count up front).
  void grow() {
    live_.clear();
    for (uint32_t i = 0; i <= mask_; i++)
      if (slots_[i].generation == generation_) live_.push_back(slots_[i]);
    size_t slot_count = (size_t(mask_) + 1) * 4;
    if (slots_.size() < slot_count) slots_.assign(slot_count, Slot{});
    mask_ = uint32_t(slot_count - 1);
    next_generation();
    for (Slot slot : live_) {
      uint32_t i = uint32_t(slot.hash) & mask_;
      while (slots_[i].generation == generation_) i = (i + 1) & mask_;
      slot.generation = generation_;
      slots_[i] = slot;
    }
  }

  bool linear_ = false;
  std::vector<std::string_view> few_;
  std::vector<Slot> slots_;
  std::vector<Slot> live_;  // reused by grow()
  uint32_t mask_ = 0;
  uint32_t generation_ = 0;
  size_t count_ = 0;
};

// One set per depth, so a parent's keys survive while a child object is checked. Sized once:
// the walks hold references into it.
static std::vector<KeySet> g_keys_by_depth(kMaxDepth);

// ---------------------------------------------------------------- DOM
static bool dom_walk(dom::element value, size_t depth);

static inline bool may_hold_keys(dom::element value) {
  dom::element_type type = value.type();
  return type == dom::element_type::OBJECT || type == dom::element_type::ARRAY;
}

static bool dom_walk_object(dom::object object, size_t depth) {
  if (depth >= kMaxDepth) return false;
  size_t key_count = object.size();
  if (key_count >= 0xFFFFFF) {  // the tape saturates there: count them
    key_count = 0;
    for (auto field : object) {
      (void)field;
      key_count++;
    }
  }
  if (key_count == 0) return true;
  KeySet &keys = g_keys_by_depth[depth];
  keys.begin(key_count);
  for (dom::key_value_pair field : object) {
    if (keys.insert_is_duplicate(field.key)) return false;  // field.key is unescaped
    if (may_hold_keys(field.value) && !dom_walk(field.value, depth + 1)) return false;
  }
  return true;
}

static bool dom_walk(dom::element value, size_t depth) {
  if (value.type() == dom::element_type::OBJECT) return dom_walk_object(value.get_object().value_unsafe(), depth);
  dom::array array = value.get_array().value_unsafe();  // a named copy: the result is a temporary
  for (dom::element element : array)
    if (may_hold_keys(element) && !dom_walk(element, depth + 1)) return false;
  return true;
}

// line has SIMDJSON_PADDING readable bytes after it, so the parser need not copy it.
static bool dom_accepts(dom::parser &parser, const char *line, size_t length, bool check_duplicates) {
  dom::element root;
  if (parser.parse(line, length, false).get(root) || !root.is_object()) return false;
  return !check_duplicates || dom_walk_object(root.get_object().value_unsafe(), 0);
}

// ---------------------------------------------------------------- on-demand
static bool ondemand_walk(ondemand::value value, size_t depth);

static bool ondemand_walk_object(ondemand::object object, size_t depth) {
  if (depth >= kMaxDepth) return false;
  KeySet &keys = g_keys_by_depth[depth];
  keys.begin(0);
  for (auto field_result : object) {
    ondemand::field field;
    std::string_view key;
    // unescaped_key() also validates the key's escapes.
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
    if (keys.insert_is_duplicate(key) || !ondemand_walk(field.value(), depth + 1)) return false;
  }
  return true;
}

// Each value is read in full, since on-demand checks a string's escapes, a number's digits and a
// literal's letters only when they are read.
static bool ondemand_walk(ondemand::value value, size_t depth) {
  ondemand::json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object object;
      return !value.get_object().get(object) && ondemand_walk_object(object, depth);
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      if (depth >= kMaxDepth || value.get_array().get(array)) return false;
      for (auto element_result : array) {
        ondemand::value element;
        if (element_result.get(element) || !ondemand_walk(element, depth + 1)) return false;
      }
      return true;
    }
    case ondemand::json_type::string: {
      std::string_view string;
      return !value.get_string().get(string);
    }
    case ondemand::json_type::number: {
      ondemand::number number;
      return !value.get_number().get(number);
    }
    case ondemand::json_type::boolean: {
      bool boolean;
      return !value.get_bool().get(boolean);
    }
    case ondemand::json_type::null: {
      bool is_null;
      return !value.is_null().get(is_null) && is_null;
    }
  }
  return false;
}

// capacity: bytes readable from line on, at least length + SIMDJSON_PADDING.
static bool ondemand_accepts(ondemand::parser &parser, const char *line, size_t length, size_t capacity) {
  ondemand::document document;
  ondemand::value root;
  ondemand::json_type type;
  if (parser.iterate(line, length, capacity).get(document) || document.type().get(type) ||
      type != ondemand::json_type::object || document.get_value().get(root) || !ondemand_walk(root, 0))
    return false;
  // On-demand stops after the root value and would accept `{"a":1}{"b":2}`: the iterator must
  // have reached the end of the line.
  const char *location;
  return document.current_location().get(location) == OUT_OF_BOUNDS;
}

// ---------------------------------------------------------------- main
static double user_cpu_seconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6;
}

int main(int argc, char **argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "dom" && mode != "dom+dups" && mode != "ondemand+dups") {
    std::fprintf(stderr, "usage: %s dom|dom+dups|ondemand+dups FILE\n", argv[0]);
    return 2;
  }
  const char *path = argv[2];

  // The whole file in one buffer, SIMDJSON_PADDING zero bytes after it, so every line can be
  // parsed in place.
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    return 1;
  }
  const size_t file_size = size_t(lseek(fd, 0, SEEK_END));
  lseek(fd, 0, SEEK_SET);
  char *buffer = static_cast<char *>(std::aligned_alloc(64, (file_size + SIMDJSON_PADDING + 63) / 64 * 64));
  for (size_t got = 0; got < file_size;) {
    ssize_t n = read(fd, buffer + got, file_size - got);
    if (n <= 0) {
      std::perror(path);
      return 1;
    }
    got += size_t(n);
  }
  close(fd);
  std::memset(buffer + file_size, 0, SIMDJSON_PADDING);

  // Lines end at '\n'; an empty line in the middle counts (and is rejected), the empty rest
  // after a final '\n' does not.
  std::vector<size_t> line_start, line_length;
  size_t longest = 0, line_bytes = 0;
  for (size_t start = 0; start < file_size;) {
    const char *newline = static_cast<const char *>(std::memchr(buffer + start, '\n', file_size - start));
    size_t end = newline ? size_t(newline - buffer) : file_size;
    line_start.push_back(start);
    line_length.push_back(end - start);
    longest = std::max(longest, end - start);
    line_bytes += end - start;
    start = end + 1;
  }
  const size_t line_count = line_start.size();

  // Parsers sized for the longest line up front, so the timed region never allocates for them.
  dom::parser dom_parser;
  ondemand::parser ondemand_parser;
  if ((mode == "ondemand+dups" ? ondemand_parser.allocate(longest) : dom_parser.allocate(longest)) != SUCCESS) {
    std::fprintf(stderr, "cannot allocate a parser for %zu bytes\n", longest);
    return 1;
  }

  size_t rejected = 0;
  const double user_before = user_cpu_seconds();
  const auto wall_before = std::chrono::steady_clock::now();
  if (mode == "ondemand+dups") {
    for (size_t i = 0; i < line_count; i++)
      rejected += !ondemand_accepts(ondemand_parser, buffer + line_start[i], line_length[i],
                                    file_size + SIMDJSON_PADDING - line_start[i]);
  } else {
    const bool check_duplicates = mode == "dom+dups";
    for (size_t i = 0; i < line_count; i++)
      rejected += !dom_accepts(dom_parser, buffer + line_start[i], line_length[i], check_duplicates);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double user_seconds = user_cpu_seconds() - user_before;

  std::printf("mode=%s file=%s active_impl=%s lines=%zu bytes=%zu accepted=%zu rejected=%zu secs=%.4f "
              "user_s=%.4f user_s_per_GiB=%.4f\n",
              mode.c_str(), path, get_active_implementation()->name().c_str(), line_count, line_bytes,
              line_count - rejected, rejected, seconds, user_seconds,
              user_seconds / (double(line_bytes) / double(1ULL << 30)));
  std::free(buffer);
  return 0;
}
