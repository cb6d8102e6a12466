// Tokenizer, Pratt parser and the post-processing pass that turns the raw
// parse tree into evaluation form (paths, stages, tuple bindings, parent slots,
// tail calls).
#include <cmath>
#include <cstdlib>

#include "asl/jsonata/ast.hpp"
#include "asl/jsonata/function.hpp"
#include "asl/jsonata/regex.hpp"
#include "core/encoding.hpp"

namespace sluice::asl::jsonata {

namespace {

bool isOperatorChar(char c) {
  switch (c) {
    case '.':
    case '[':
    case ']':
    case '{':
    case '}':
    case '(':
    case ')':
    case ',':
    case '@':
    case '#':
    case ';':
    case ':':
    case '?':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '|':
    case '=':
    case '<':
    case '>':
    case '^':
    case '&':
    case '!':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

int lbpOf(std::string_view op) {
  static const std::pair<std::string_view, int> table[] = {
      {".", 75},  {"[", 80},  {"{", 70},  {"(", 80},  {"@", 80},  {"#", 80},  {"?", 20},
      {"+", 50},  {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},  {"=", 40},  {"<", 40},
      {">", 40},  {"^", 40},  {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40}, {"and", 30},
      {"or", 25}, {"in", 40}, {"&", 50},  {":=", 10}};
  for (const auto& [k, v] : table) {
    if (k == op) return v;
  }
  return 0;
}

bool isKnownOperator(std::string_view op) {
  static const std::string_view known[] = {
      ".",  "[",  "]",  "{",  "}",  "(",  ")",   ",",  "@",  "#", ";", ":",
      "?",  "+",  "-",  "*",  "/",  "%",  "|",   "=",  "<",  ">", "^", "**",
      "..", ":=", "!=", "<=", ">=", "~>", "and", "or", "in", "&"};
  for (auto k : known) {
    if (k == op) return true;
  }
  return false;
}

struct Token {
  enum Kind { End, Name, Variable, Operator, String, Number, Literal, Regex } kind = End;
  std::string value;
  double num = 0;
  Value lit;
  int position = 0;
  std::shared_ptr<const RegexData> re;

  std::string_view id() const {
    switch (kind) {
      case End:
        return "(end)";
      case Name:
      case Variable:
        return "(name)";
      case Operator:
        return value;
      case String:
      case Number:
      case Literal:
        return "(literal)";
      case Regex:
        return "(regex)";
    }
    return "";
  }
};

class Parser {
 public:
  Parser(std::string_view src, Ast& ast) : src_(src), ast_(ast) {}

  Node* parse() {
    advance(nullptr, false);
    Node* tree = expression(0);
    if (node_.kind != Token::End) {
      throw JError("S0201").at(node_.position).tok(node_.value);
    }
    Node* result = process(tree);
    if (result->type == NodeType::Parent || result->hasSeekingParent) {
      throw JError("S0217").at(result->position).tok("%");
    }
    return result;
  }

 private:
  // ---- tokenizer ----
  bool lex(bool infix, Token& t) {
    size_t len = src_.size();
    while (pos_ < len && isSpace(src_[pos_])) pos_++;
    if (pos_ >= len) return false;
    char c = src_[pos_];
    if (c == '/' && pos_ + 1 < len && src_[pos_ + 1] == '*') {
      size_t start = pos_;
      size_t close = src_.find("*/", pos_ + 2);
      if (close == std::string_view::npos) throw JError("S0106").at(static_cast<int>(start));
      pos_ = close + 2;
      return lex(infix, t);
    }
    if (!infix && c == '/') {
      pos_++;
      scanRegex(t);
      return true;
    }
    auto op = [&](std::string_view o) {
      pos_ += o.size();
      t.kind = Token::Operator;
      t.value = std::string(o);
      t.position = static_cast<int>(pos_);
      return true;
    };
    char n = pos_ + 1 < len ? src_[pos_ + 1] : '\0';
    if (c == '.' && n == '.') return op("..");
    if (c == ':' && n == '=') return op(":=");
    if (c == '!' && n == '=') return op("!=");
    if (c == '>' && n == '=') return op(">=");
    if (c == '<' && n == '=') return op("<=");
    if (c == '*' && n == '*') return op("**");
    if (c == '~' && n == '>') return op("~>");
    if (isOperatorChar(c)) return op(std::string_view(&src_[pos_], 1));
    if (c == '"' || c == '\'') {
      char quote = c;
      pos_++;
      std::string s;
      while (pos_ < len) {
        char ch = src_[pos_];
        if (ch == '\\') {
          pos_++;
          ch = pos_ < len ? src_[pos_] : '\0';
          switch (ch) {
            case '"':
              s += '"';
              break;
            case '\\':
              s += '\\';
              break;
            case '/':
              s += '/';
              break;
            case 'b':
              s += '\b';
              break;
            case 'f':
              s += '\f';
              break;
            case 'n':
              s += '\n';
              break;
            case 'r':
              s += '\r';
              break;
            case 't':
              s += '\t';
              break;
            case 'u': {
              auto hex = [&](size_t at, uint32_t& out) {
                if (at + 4 > len) return false;
                out = 0;
                for (size_t i = at; i < at + 4; ++i) {
                  char h = src_[i];
                  int d = (h >= '0' && h <= '9')   ? h - '0'
                          : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                          : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                   : -1;
                  if (d < 0) return false;
                  out = out * 16 + static_cast<uint32_t>(d);
                }
                return true;
              };
              uint32_t cp;
              if (!hex(pos_ + 1, cp)) throw JError("S0104").at(static_cast<int>(pos_));
              pos_ += 4;
              if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 2 < len && src_[pos_ + 1] == '\\' &&
                  src_[pos_ + 2] == 'u') {
                uint32_t lo;
                if (hex(pos_ + 3, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                  cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                  pos_ += 6;
                }
              }
              appendUtf8(s, cp);
              break;
            }
            default:
              throw JError("S0103").at(static_cast<int>(pos_)).tok(std::string(1, ch));
          }
        } else if (ch == quote) {
          pos_++;
          t.kind = Token::String;
          t.value = std::move(s);
          t.position = static_cast<int>(pos_);
          return true;
        } else {
          s += ch;
        }
        pos_++;
      }
      throw JError("S0101").at(static_cast<int>(pos_));
    }
    if (c >= '0' && c <= '9') {
      size_t i = pos_;
      if (src_[i] == '0') {
        i++;
      } else {
        while (i < len && src_[i] >= '0' && src_[i] <= '9') i++;
      }
      if (i + 1 < len && src_[i] == '.' && src_[i + 1] >= '0' && src_[i + 1] <= '9') {
        i++;
        while (i < len && src_[i] >= '0' && src_[i] <= '9') i++;
      }
      if (i < len && (src_[i] == 'e' || src_[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (src_[j] == '+' || src_[j] == '-')) j++;
        if (j < len && src_[j] >= '0' && src_[j] <= '9') {
          while (j < len && src_[j] >= '0' && src_[j] <= '9') j++;
          i = j;
        }
      }
      std::string text(src_.substr(pos_, i - pos_));
      double d = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(d)) throw JError("S0102").at(static_cast<int>(pos_)).tok(text);
      pos_ = i;
      t.kind = Token::Number;
      t.num = d;
      t.value = text;
      t.position = static_cast<int>(pos_);
      return true;
    }
    if (c == '`') {
      pos_++;
      size_t end = src_.find('`', pos_);
      if (end == std::string_view::npos) {
        pos_ = len;
        throw JError("S0105").at(static_cast<int>(pos_));
      }
      t.kind = Token::Name;
      t.value = std::string(src_.substr(pos_, end - pos_));
      pos_ = end + 1;
      t.position = static_cast<int>(pos_);
      return true;
    }
    size_t i = pos_;
    while (i < len && !isSpace(src_[i]) && !isOperatorChar(src_[i])) i++;
    if (src_[pos_] == '$') {
      t.kind = Token::Variable;
      t.value = std::string(src_.substr(pos_ + 1, i - pos_ - 1));
      pos_ = i;
      t.position = static_cast<int>(pos_);
      return true;
    }
    std::string name(src_.substr(pos_, i - pos_));
    pos_ = i;
    t.position = static_cast<int>(pos_);
    if (name == "or" || name == "in" || name == "and") {
      t.kind = Token::Operator;
      t.value = name;
    } else if (name == "true" || name == "false") {
      t.kind = Token::Literal;
      t.lit = Value::boolean(name == "true");
      t.value = name;
    } else if (name == "null") {
      t.kind = Token::Literal;
      t.lit = Value::null();
      t.value = name;
    } else {
      t.kind = Token::Name;
      t.value = std::move(name);
    }
    return true;
  }

  void scanRegex(Token& t) {
    size_t start = pos_;
    int depth = 0;
    size_t len = src_.size();
    while (pos_ < len) {
      char c = src_[pos_];
      if (c == '/' && depth == 0) {
        size_t backslashes = 0;
        while (pos_ >= backslashes + 1 && src_[pos_ - backslashes - 1] == '\\') backslashes++;
        if (backslashes % 2 == 0) {
          std::string_view pattern = src_.substr(start, pos_ - start);
          if (pattern.empty()) throw JError("S0301").at(static_cast<int>(pos_));
          pos_++;
          size_t fstart = pos_;
          while (pos_ < len && (src_[pos_] == 'i' || src_[pos_] == 'm')) pos_++;
          t.kind = Token::Regex;
          t.value = std::string(pattern);
          t.re = compileRegex(pattern, src_.substr(fstart, pos_ - fstart));
          t.position = static_cast<int>(pos_);
          return;
        }
      }
      bool escaped = pos_ > 0 && src_[pos_ - 1] == '\\';
      if ((c == '(' || c == '[' || c == '{') && !escaped) depth++;
      if ((c == ')' || c == ']' || c == '}') && !escaped) depth--;
      pos_++;
    }
    throw JError("S0302").at(static_cast<int>(pos_));
  }

  // ---- parser ----
  void advance(const char* id, bool infix = false) {
    if (id && node_.id() != id) {
      throw JError(node_.kind == Token::End ? "S0203" : "S0202")
          .at(node_.position)
          .tok(node_.kind == Token::End ? "(end)" : node_.value)
          .val(Value::string(id));
    }
    Token t;
    if (!lex(infix, t)) {
      node_ = Token();
      node_.kind = Token::End;
      node_.value = "(end)";
      node_.position = static_cast<int>(src_.size());
      return;
    }
    if (t.kind == Token::Operator && !isKnownOperator(t.value)) {
      throw JError("S0204").at(t.position).tok(t.value);
    }
    node_ = std::move(t);
  }

  int lbp(const Token& t) const { return t.kind == Token::Operator ? lbpOf(t.value) : 0; }

  Node* expression(int rbp) {
    Token t = node_;
    advance(nullptr, true);
    Node* left = nud(t);
    while (rbp < lbp(node_)) {
      t = node_;
      advance(nullptr);
      left = led(t, left);
    }
    return left;
  }

  Node* nud(const Token& t) {
    switch (t.kind) {
      case Token::End: {
        Node* n = ast_.make(NodeType::RawEnd, t.position);
        n->value = "(end)";
        return n;
      }
      case Token::Name: {
        Node* n = ast_.make(NodeType::Name, t.position);
        n->value = t.value;
        return n;
      }
      case Token::Variable: {
        Node* n = ast_.make(NodeType::Variable, t.position);
        n->value = t.value;
        return n;
      }
      case Token::String: {
        Node* n = ast_.make(NodeType::String, t.position);
        n->value = t.value;
        n->literal = Value::string(t.value);
        return n;
      }
      case Token::Number: {
        Node* n = ast_.make(NodeType::Number, t.position);
        n->num = t.num;
        n->value = t.value;
        n->literal = Value::number(t.num);
        return n;
      }
      case Token::Literal: {
        Node* n = ast_.make(NodeType::Literal, t.position);
        n->literal = t.lit;
        n->value = t.value;
        return n;
      }
      case Token::Regex: {
        Node* n = ast_.make(NodeType::Regex, t.position);
        n->value = t.value;
        n->regex = t.re;
        return n;
      }
      case Token::Operator:
        break;
    }
    const std::string& op = t.value;
    if (op == "and" || op == "or" || op == "in") {
      Node* n = ast_.make(NodeType::RawOperator, t.position);
      n->value = op;
      return n;
    }
    if (op == "-") {
      Node* n = ast_.make(NodeType::Negate, t.position);
      n->value = "-";
      n->expr = expression(70);
      return n;
    }
    if (op == "*") return ast_.make(NodeType::Wildcard, t.position);
    if (op == "**") return ast_.make(NodeType::Descendant, t.position);
    if (op == "%") return ast_.make(NodeType::Parent, t.position);
    if (op == "(") {
      Node* n = ast_.make(NodeType::Block, t.position);
      while (node_.id() != ")") {
        n->items.push_back(expression(0));
        if (node_.id() != ";") break;
        advance(";");
      }
      advance(")", true);
      return n;
    }
    if (op == "[") {
      Node* n = ast_.make(NodeType::ArrayCons, t.position);
      n->value = "[";
      if (node_.id() != "]") {
        for (;;) {
          Node* item = expression(0);
          if (node_.id() == "..") {
            Node* range = ast_.make(NodeType::RawBinary, node_.position);
            range->value = "..";
            range->lhs = item;
            advance("..");
            range->rhs = expression(0);
            item = range;
          }
          n->items.push_back(item);
          if (node_.id() != ",") break;
          advance(",");
        }
      }
      advance("]", true);
      return n;
    }
    if (op == "{") {
      Node* n = ast_.make(NodeType::ObjectCons, t.position);
      n->value = "{";
      parsePairs(n->pairs);
      return n;
    }
    if (op == "|") {
      Node* n = ast_.make(NodeType::Transform, t.position);
      n->expr = expression(0);
      advance("|");
      n->then = expression(0);
      if (node_.id() == ",") {
        advance(",");
        n->otherwise = expression(0);
      }
      advance("|");
      return n;
    }
    throw JError("S0211").at(t.position).tok(op);
  }

  void parsePairs(std::vector<std::pair<Node*, Node*>>& pairs) {
    if (node_.id() != "}") {
      for (;;) {
        Node* k = expression(0);
        advance(":");
        Node* v = expression(0);
        pairs.emplace_back(k, v);
        if (node_.id() != ",") break;
        advance(",");
      }
    }
    advance("}", true);
  }

  Node* led(const Token& t, Node* left) {
    const std::string& op = t.value;
    if (op == "(") {
      Node* n = ast_.make(NodeType::Function, t.position);
      n->expr = left;
      if (node_.id() != ")") {
        for (;;) {
          if (node_.kind == Token::Operator && node_.value == "?") {
            n->type = NodeType::Partial;
            n->items.push_back(ast_.make(NodeType::Placeholder, node_.position));
            advance("?");
          } else {
            n->items.push_back(expression(0));
          }
          if (node_.id() != ",") break;
          advance(",");
        }
      }
      advance(")", true);
      if (left->type == NodeType::Name && (left->value == "function" || left->value == "\u03BB")) {
        for (size_t i = 0; i < n->items.size(); ++i) {
          Node* arg = n->items[i];
          if (arg->type != NodeType::Variable) {
            throw JError("S0208").at(arg->position).tok(arg->value).idx(static_cast<int>(i + 1));
          }
          n->params.push_back(arg->value);
        }
        n->type = NodeType::Lambda;
        if (node_.id() == "<") {
          int sigPos = node_.position;
          int depth = 1;
          std::string sig = "<";
          while (depth > 0 && node_.id() != "{" && node_.kind != Token::End) {
            advance(nullptr);
            if (node_.id() == ">") {
              depth--;
            } else if (node_.id() == "<") {
              depth++;
            }
            sig += node_.value;
          }
          advance(">");
          try {
            n->signature = parseSignature(sig);
          } catch (JError& e) {
            e.position = sigPos + e.index;
            throw;
          }
        }
        advance("{");
        n->expr = expression(0);
        advance("}");
      }
      return n;
    }
    if (op == "[") {
      if (node_.id() == "]") {
        Node* step = left;
        while (step && step->type == NodeType::RawBinary && step->value == "[") step = step->lhs;
        step->keepArray = true;
        advance("]");
        return left;
      }
      Node* n = ast_.make(NodeType::RawBinary, t.position);
      n->value = "[";
      n->lhs = left;
      n->rhs = expression(0);
      advance("]", true);
      return n;
    }
    if (op == "^") {
      Node* n = ast_.make(NodeType::RawBinary, t.position);
      n->value = "^";
      n->lhs = left;
      advance("(");
      for (;;) {
        SortTerm term;
        if (node_.id() == "<") {
          advance("<");
        } else if (node_.id() == ">") {
          term.descending = true;
          advance(">");
        }
        term.expr = expression(0);
        n->terms.push_back(term);
        if (node_.id() != ",") break;
        advance(",");
      }
      advance(")");
      return n;
    }
    if (op == "{") {
      Node* n = ast_.make(NodeType::RawBinary, t.position);
      n->value = "{";
      n->lhs = left;
      parsePairs(n->pairs);
      return n;
    }
    if (op == ":=") {
      if (left->type != NodeType::Variable) {
        throw JError("S0212").at(left->position).tok(left->value);
      }
      Node* n = ast_.make(NodeType::RawBinary, t.position);
      n->value = ":=";
      n->lhs = left;
      n->rhs = expression(lbpOf(":=") - 1);
      return n;
    }
    if (op == "@" || op == "#") {
      Node* n = ast_.make(NodeType::RawBinary, t.position);
      n->value = op;
      n->lhs = left;
      n->rhs = expression(lbpOf(op));
      if (n->rhs->type != NodeType::Variable) {
        throw JError("S0214").at(n->rhs->position).tok(op);
      }
      return n;
    }
    if (op == "?") {
      Node* n = ast_.make(NodeType::Condition, t.position);
      n->expr = left;
      n->then = expression(0);
      if (node_.id() == ":") {
        advance(":");
        n->otherwise = expression(0);
      }
      return n;
    }
    Node* n = ast_.make(NodeType::RawBinary, t.position);
    n->value = op;
    n->lhs = left;
    n->rhs = expression(lbpOf(op));
    return n;
  }

  // ---- post-processing ----
  static const char* typeName(NodeType t) {
    switch (t) {
      case NodeType::Path:
        return "path";
      case NodeType::Binary:
        return "binary";
      case NodeType::Negate:
        return "unary";
      case NodeType::ArrayCons:
        return "unary";
      case NodeType::ObjectCons:
        return "unary";
      case NodeType::Name:
        return "name";
      case NodeType::String:
        return "string";
      case NodeType::Number:
        return "number";
      case NodeType::Literal:
        return "value";
      case NodeType::Wildcard:
        return "wildcard";
      case NodeType::Descendant:
        return "descendant";
      case NodeType::Parent:
        return "parent";
      case NodeType::Condition:
        return "condition";
      case NodeType::Block:
        return "block";
      case NodeType::Bind:
        return "bind";
      case NodeType::Regex:
        return "regex";
      case NodeType::Function:
        return "function";
      case NodeType::Partial:
        return "partial";
      case NodeType::Variable:
        return "variable";
      case NodeType::Lambda:
        return "lambda";
      case NodeType::Apply:
        return "apply";
      case NodeType::Transform:
        return "transform";
      case NodeType::Sort:
        return "sort";
      default:
        return "operator";
    }
  }

  void pushAncestry(Node* result, Node* value) {
    if (value->hasSeekingParent || value->type == NodeType::Parent) {
      std::vector<std::shared_ptr<Slot>> slots = value->seekingParent;
      if (value->type == NodeType::Parent) slots.push_back(value->slot);
      result->seekingParent.insert(result->seekingParent.end(), slots.begin(), slots.end());
      result->hasSeekingParent = true;
    }
  }

  std::shared_ptr<Slot> seekParent(Node* node, std::shared_ptr<Slot> slot) {
    switch (node->type) {
      case NodeType::Name:
      case NodeType::Wildcard:
        slot->level--;
        if (slot->level == 0) {
          if (!node->ancestor) {
            node->ancestor = slot;
          } else {
            slot->label = node->ancestor->label;
            node->ancestor = slot;
          }
          node->tuple = true;
        }
        break;
      case NodeType::Parent:
        slot->level++;
        break;
      case NodeType::Block:
        if (!node->items.empty()) {
          node->tuple = true;
          slot = seekParent(node->items.back(), slot);
        }
        break;
      case NodeType::Path: {
        node->tuple = true;
        long index = static_cast<long>(node->items.size()) - 1;
        slot = seekParent(node->items[static_cast<size_t>(index--)], slot);
        while (slot->level > 0 && index >= 0) {
          slot = seekParent(node->items[static_cast<size_t>(index--)], slot);
        }
        break;
      }
      default:
        throw JError("S0217").at(node->position).tok(typeName(node->type));
    }
    return slot;
  }

  void resolveAncestry(Node* path) {
    Node* last = path->items.back();
    std::vector<std::shared_ptr<Slot>> slots = last->seekingParent;
    if (last->type == NodeType::Parent) slots.push_back(last->slot);
    for (auto slot : slots) {
      long index = static_cast<long>(path->items.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          path->seekingParent.push_back(slot);
          path->hasSeekingParent = true;
          break;
        }
        Node* step = path->items[static_cast<size_t>(index--)];
        while (index >= 0 && step->hasFocus && !step->focus.empty() &&
               path->items[static_cast<size_t>(index)]->hasFocus &&
               !path->items[static_cast<size_t>(index)]->focus.empty()) {
          step = path->items[static_cast<size_t>(index--)];
        }
        slot = seekParent(step, slot);
      }
    }
  }

  Node* tailCallOptimize(Node* e) {
    if (e->type == NodeType::Function && e->predicate.empty()) {
      Node* thunk = ast_.make(NodeType::Lambda, e->position);
      thunk->thunk = true;
      thunk->expr = e;
      return thunk;
    }
    if (e->type == NodeType::Condition) {
      e->then = tailCallOptimize(e->then);
      if (e->otherwise) e->otherwise = tailCallOptimize(e->otherwise);
      return e;
    }
    if (e->type == NodeType::Block && !e->items.empty()) {
      e->items.back() = tailCallOptimize(e->items.back());
      return e;
    }
    return e;
  }

  Node* wrapPath(Node* step) {
    Node* p = ast_.make(NodeType::Path, step->position);
    p->items.push_back(step);
    return p;
  }

  Node* process(Node* e) {
    Node* result = nullptr;
    switch (e->type) {
      case NodeType::RawBinary:
        result = processBinary(e);
        break;
      case NodeType::ArrayCons: {
        result = ast_.make(NodeType::ArrayCons, e->position);
        result->value = "[";
        for (Node* item : e->items) {
          Node* v = process(item);
          pushAncestry(result, v);
          result->items.push_back(v);
        }
        break;
      }
      case NodeType::ObjectCons: {
        result = ast_.make(NodeType::ObjectCons, e->position);
        result->value = "{";
        for (auto& [k, v] : e->pairs) {
          Node* pk = process(k);
          pushAncestry(result, pk);
          Node* pv = process(v);
          pushAncestry(result, pv);
          result->pairs.emplace_back(pk, pv);
        }
        break;
      }
      case NodeType::Negate: {
        result = ast_.make(NodeType::Negate, e->position);
        result->value = "-";
        result->expr = process(e->expr);
        if (result->expr->type == NodeType::Number) {
          result = result->expr;
          result->num = -result->num;
          result->literal = Value::number(result->num);
        } else {
          pushAncestry(result, result->expr);
        }
        break;
      }
      case NodeType::Function:
      case NodeType::Partial: {
        result = ast_.make(e->type, e->position);
        result->value = e->value;
        for (Node* arg : e->items) {
          Node* a = process(arg);
          pushAncestry(result, a);
          result->items.push_back(a);
        }
        result->expr = process(e->expr);
        break;
      }
      case NodeType::Lambda: {
        result = ast_.make(NodeType::Lambda, e->position);
        result->params = e->params;
        result->signature = e->signature;
        result->expr = tailCallOptimize(process(e->expr));
        break;
      }
      case NodeType::Condition: {
        result = ast_.make(NodeType::Condition, e->position);
        result->expr = process(e->expr);
        pushAncestry(result, result->expr);
        result->then = process(e->then);
        pushAncestry(result, result->then);
        if (e->otherwise) {
          result->otherwise = process(e->otherwise);
          pushAncestry(result, result->otherwise);
        }
        break;
      }
      case NodeType::Transform: {
        result = ast_.make(NodeType::Transform, e->position);
        result->expr = process(e->expr);
        result->then = process(e->then);
        if (e->otherwise) result->otherwise = process(e->otherwise);
        break;
      }
      case NodeType::Block: {
        result = ast_.make(NodeType::Block, e->position);
        for (Node* item : e->items) {
          Node* part = process(item);
          pushAncestry(result, part);
          if (part->consarray || (part->type == NodeType::Path && part->items[0]->consarray)) {
            result->consarray = true;
          }
          result->items.push_back(part);
        }
        break;
      }
      case NodeType::Name:
        result = wrapPath(e);
        if (e->keepArray) result->keepSingletonArray = true;
        break;
      case NodeType::Parent: {
        result = ast_.make(NodeType::Parent, e->position);
        result->slot = std::make_shared<Slot>();
        result->slot->label = "!" + std::to_string(ancestorLabel_++);
        result->slot->level = 1;
        result->slot->index = ancestorIndex_++;
        break;
      }
      case NodeType::String:
      case NodeType::Number:
      case NodeType::Literal:
      case NodeType::Wildcard:
      case NodeType::Descendant:
      case NodeType::Variable:
      case NodeType::Regex:
      case NodeType::Placeholder:
        result = e;
        break;
      case NodeType::RawOperator:
        e->type = NodeType::Name;
        result = process(e);
        break;
      case NodeType::RawEnd:
        throw JError("S0207").at(e->position).tok("(end)");
      default:
        throw JError("S0206").at(e->position).tok(e->value);
    }
    if (e->keepArray) result->keepArray = true;
    return result;
  }

  Node* processBinary(Node* e) {
    const std::string& op = e->value;
    Node* result = nullptr;
    if (op == ".") {
      Node* lstep = process(e->lhs);
      result = lstep->type == NodeType::Path ? lstep : wrapPath(lstep);
      if (lstep->type == NodeType::Parent) {
        result->seekingParent = {lstep->slot};
        result->hasSeekingParent = true;
      }
      Node* rest = process(e->rhs);
      if (rest->type == NodeType::Path) {
        result->items.insert(result->items.end(), rest->items.begin(), rest->items.end());
      } else {
        if (!rest->predicate.empty()) {
          rest->stages = std::move(rest->predicate);
          rest->predicate.clear();
        }
        result->items.push_back(rest);
      }
      for (Node* step : result->items) {
        if (step->type == NodeType::Number || step->type == NodeType::Literal) {
          throw JError("S0213").at(step->position).val(step->literal);
        }
        if (step->type == NodeType::String) step->type = NodeType::Name;
      }
      for (Node* step : result->items) {
        if (step->keepArray) result->keepSingletonArray = true;
      }
      Node* first = result->items.front();
      if (first->type == NodeType::ArrayCons) first->consarray = true;
      Node* last = result->items.back();
      if (last->type == NodeType::ArrayCons) last->consarray = true;
      resolveAncestry(result);
      return result;
    }
    if (op == "[") {
      result = process(e->lhs);
      Node* step = result;
      bool isStages = false;
      if (result->type == NodeType::Path) {
        step = result->items.back();
        isStages = true;
      }
      if (step->group) throw JError("S0209").at(e->position);
      Node* predicate = process(e->rhs);
      if (predicate->hasSeekingParent) {
        for (auto& slot : predicate->seekingParent) {
          if (slot->level == 1) {
            seekParent(step, slot);
          } else {
            slot->level--;
          }
        }
        pushAncestry(step, predicate);
      }
      Stage s;
      s.expr = predicate;
      s.position = e->position;
      (isStages ? step->stages : step->predicate).push_back(s);
      return result;
    }
    if (op == "{") {
      result = process(e->lhs);
      if (result->group) throw JError("S0210").at(e->position);
      auto g = std::make_unique<GroupSpec>();
      g->position = e->position;
      for (auto& [k, v] : e->pairs) g->pairs.emplace_back(process(k), process(v));
      result->group = std::move(g);
      return result;
    }
    if (op == "^") {
      result = process(e->lhs);
      if (result->type != NodeType::Path) result = wrapPath(result);
      Node* sortStep = ast_.make(NodeType::Sort, e->position);
      for (auto& term : e->terms) {
        SortTerm t;
        t.expr = process(term.expr);
        t.descending = term.descending;
        pushAncestry(sortStep, t.expr);
        sortStep->terms.push_back(t);
      }
      result->items.push_back(sortStep);
      resolveAncestry(result);
      return result;
    }
    if (op == ":=") {
      result = ast_.make(NodeType::Bind, e->position);
      result->value = op;
      result->lhs = process(e->lhs);
      result->rhs = process(e->rhs);
      pushAncestry(result, result->rhs);
      return result;
    }
    if (op == "@") {
      result = process(e->lhs);
      Node* step = result;
      if (result->type == NodeType::Path) step = result->items.back();
      if (!step->stages.empty() || !step->predicate.empty()) throw JError("S0215").at(e->position);
      if (step->type == NodeType::Sort) throw JError("S0216").at(e->position);
      if (e->keepArray) step->keepArray = true;
      step->focus = e->rhs->value;
      step->hasFocus = true;
      step->tuple = true;
      return result;
    }
    if (op == "#") {
      result = process(e->lhs);
      Node* step = result;
      if (result->type == NodeType::Path) {
        step = result->items.back();
      } else {
        result = wrapPath(result);
        if (!step->predicate.empty()) {
          step->stages = std::move(step->predicate);
          step->predicate.clear();
        }
      }
      if (step->stages.empty()) {
        step->indexVar = e->rhs->value;
        step->hasIndex = true;
      } else {
        Stage s;
        s.isIndex = true;
        s.var = e->rhs->value;
        s.position = e->position;
        step->stages.push_back(s);
      }
      step->tuple = true;
      return result;
    }
    if (op == "~>") {
      result = ast_.make(NodeType::Apply, e->position);
      result->value = op;
      result->lhs = process(e->lhs);
      result->rhs = process(e->rhs);
      result->keepArray = result->lhs->keepArray || result->rhs->keepArray;
      return result;
    }
    result = ast_.make(NodeType::Binary, e->position);
    result->value = op;
    static const std::pair<std::string_view, Op> ops[] = {
        {"+", Op::Add},    {"-", Op::Sub}, {"*", Op::Mul},   {"/", Op::Div},
        {"%", Op::Mod},    {"=", Op::Eq},  {"!=", Op::Ne},   {"<", Op::Lt},
        {"<=", Op::Le},    {">", Op::Gt},  {">=", Op::Ge},   {"&", Op::Concat},
        {"..", Op::Range}, {"in", Op::In}, {"and", Op::And}, {"or", Op::Or}};
    for (const auto& [text, code] : ops) {
      if (text == op) result->op = code;
    }
    result->lhs = process(e->lhs);
    result->rhs = process(e->rhs);
    pushAncestry(result, result->lhs);
    pushAncestry(result, result->rhs);
    return result;
  }

  std::string_view src_;
  Ast& ast_;
  size_t pos_ = 0;
  Token node_;
  int ancestorLabel_ = 0;
  int ancestorIndex_ = 0;
};

}  // namespace

std::shared_ptr<Ast> parseExpression(std::string_view text) {
  auto ast = std::make_shared<Ast>();
  Parser p(text, *ast);
  ast->root = p.parse();
  return ast;
}

}  // namespace sluice::asl::jsonata
