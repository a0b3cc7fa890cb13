//! The conditions of hand-set rules (`when = "pricing_page_views >= 1"`): a
//! small SQL subset parsed and evaluated here, over the columns of the leads.
//!
//! The language is what marketing tools' rules say: comparisons (`=`, `==`,
//! `<>`, `!=`, `<`, `<=`, `>`, `>=`), `AND`, `OR`, `NOT`, parentheses,
//! `[NOT] IN (…)`, `[NOT] BETWEEN … AND …`, `IS [NOT] NULL`, `[NOT] LIKE` /
//! `ILIKE` with `%` and `_`, arithmetic (`+ - * /`) on numbers and the
//! functions `LOWER`, `UPPER`, `TRIM`, `LENGTH`, `ABS` and `COALESCE`.
//! Keywords and function names are case-insensitive; columns are named bare
//! (`email_opens`) or quoted (`"Job Title"`), text values in single quotes
//! (`'it''s'`).
//!
//! Semantics are SQL's: a missing value is NULL, a comparison with NULL is
//! NULL, `AND`, `OR` and `NOT` use three-valued logic, and a rule matches a
//! lead only when its condition is TRUE. Types are checked before any lead is
//! looked at: comparing a text column with a number, or `AND` on a number, is
//! an error naming the part at fault, never a silent non-match. A quoted value
//! compared with a number column is read as a number when it is one
//! (`visits >= '3'`), and `'yes'`/`'no'`/`'true'`/`'false'` compare with a
//! true/false column.

use std::borrow::Cow;

use polars::prelude::*;

use crate::io::values::{parse_number, NumberParse};

/// Why a condition cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConditionError {
    /// The text is not a condition in the language.
    #[error("cannot parse the condition: {message} at character {at}")]
    Parse {
        /// What was expected or found.
        message: String,
        /// 1-based character position.
        at: usize,
    },
    /// A column the condition names is not in the data.
    #[error("no column '{name}' in the data{hint}")]
    UnknownColumn {
        /// The name as written.
        name: String,
        /// ` (did you mean 'x'?)` or empty.
        hint: String,
    },
    /// Parts of the condition do not fit together (text compared with a number, …).
    #[error("{0}")]
    Type(String),
    /// The data could not be read as the condition needs.
    #[error("reading the leads: {0}")]
    Data(String),
}

type Outcome<T> = std::result::Result<T, ConditionError>;

/// A parsed condition, ready to be evaluated on any table of leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    expr: Expr,
}

impl Condition {
    /// Parse `text`; errors say what was expected and where.
    pub fn parse(text: &str) -> Outcome<Self> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            end: text.chars().count() + 1,
        };
        let expr = parser.expr()?;
        if let Some(token) = parser.peek() {
            return Err(ConditionError::Parse {
                message: format!("unexpected {}", token.kind.describe()),
                at: token.at,
            });
        }
        Ok(Condition { expr })
    }

    /// Whether each lead (row of `frame`) matches: TRUE matches, FALSE and NULL do not.
    pub fn matches(&self, frame: &DataFrame) -> Outcome<Vec<bool>> {
        let mut names = Vec::new();
        referenced(&self.expr, &mut names);
        let owned = names
            .iter()
            .map(|name| Owned::load(find_column(frame, name)?))
            .collect::<Outcome<Vec<Owned>>>()?;
        let data: Vec<Data<'_>> = owned.iter().map(Owned::view).collect();
        let binder = Binder {
            names: &names,
            data: &data,
        };
        let bound = binder.bind(&self.expr)?;
        if bound.ty != Ty::Bool && bound.ty != Ty::Null {
            return Err(ConditionError::Type(format!(
                "the condition gives {} values, not true/false",
                bound.ty.name()
            )));
        }
        Ok((0..frame.height())
            .map(|row| bound.eval(row, &data) == Value::Bool(true))
            .collect())
    }
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Ident(String),
    Quoted(String),
    Text(String),
    Number(f64),
    Keyword(Keyword),
    Op(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    And,
    Or,
    Not,
    In,
    Is,
    Null,
    Between,
    Like,
    ILike,
    True,
    False,
}

impl Kind {
    fn describe(&self) -> String {
        match self {
            Kind::Ident(s) | Kind::Quoted(s) => format!("name '{s}'"),
            Kind::Text(s) => format!("text '{s}'"),
            Kind::Number(n) => format!("number {n}"),
            Kind::Keyword(k) => format!("{k:?}").to_uppercase(),
            Kind::Op(op) => format!("'{op}'"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: Kind,
    at: usize,
}

const OPERATORS: [&str; 15] = [
    "<>", "!=", "<=", ">=", "==", "=", "<", ">", "(", ")", ",", "+", "-", "*", "/",
];

fn tokenize(text: &str) -> Outcome<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let fail = |message: String, at: usize| ConditionError::Parse {
        message,
        at: at + 1,
    };
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' || c == '"' || c == '`' {
            let close = if c == '\'' { '\'' } else { c };
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        let what = if c == '\'' { "text" } else { "name" };
                        return Err(fail(format!("unterminated quoted {what}"), at - 1));
                    }
                    Some(&q) if q == close && chars.get(i + 1) == Some(&close) => {
                        value.push(q);
                        i += 2;
                    }
                    Some(&q) if q == close => {
                        i += 1;
                        break;
                    }
                    Some(&q) => {
                        value.push(q);
                        i += 1;
                    }
                }
            }
            let kind = if c == '\'' {
                Kind::Text(value)
            } else {
                Kind::Quoted(value)
            };
            tokens.push(Token { kind, at });
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let literal: String = chars[start..i].iter().collect();
            let value = literal
                .parse::<f64>()
                .map_err(|_| fail(format!("'{literal}' is not a number"), start))?;
            tokens.push(Token {
                kind: Kind::Number(value),
                at,
            });
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let kind = match word.to_ascii_uppercase().as_str() {
                "AND" => Kind::Keyword(Keyword::And),
                "OR" => Kind::Keyword(Keyword::Or),
                "NOT" => Kind::Keyword(Keyword::Not),
                "IN" => Kind::Keyword(Keyword::In),
                "IS" => Kind::Keyword(Keyword::Is),
                "NULL" => Kind::Keyword(Keyword::Null),
                "BETWEEN" => Kind::Keyword(Keyword::Between),
                "LIKE" => Kind::Keyword(Keyword::Like),
                "ILIKE" => Kind::Keyword(Keyword::ILike),
                "TRUE" => Kind::Keyword(Keyword::True),
                "FALSE" => Kind::Keyword(Keyword::False),
                _ => Kind::Ident(word),
            };
            tokens.push(Token { kind, at });
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPERATORS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| fail(format!("unexpected character '{c}'"), i))?;
            i += op.chars().count();
            tokens.push(Token {
                kind: Kind::Op(op),
                at,
            });
        }
    }
    Ok(tokens)
}

// ---------------------------------------------------------------- syntax

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Lower,
    Upper,
    Trim,
    Length,
    Abs,
    Coalesce,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Column(String),
    Number(f64),
    Text(String),
    Bool(bool),
    Null,
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        fold_case: bool,
    },
    Call(Func, Vec<Expr>),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// Position reported for "the end of the condition".
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_kind(&self) -> Option<&Kind> {
        self.peek().map(|t| &t.kind)
    }

    fn eat_keyword(&mut self, keyword: Keyword) -> bool {
        if self.peek_kind() == Some(&Kind::Keyword(keyword)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek_kind(), Some(Kind::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, expected: &str) -> ConditionError {
        match self.peek() {
            Some(token) => ConditionError::Parse {
                message: format!("expected {expected}, found {}", token.kind.describe()),
                at: token.at,
            },
            None => ConditionError::Parse {
                message: format!("expected {expected}, found the end of the condition"),
                at: self.end,
            },
        }
    }

    fn expect_op(&mut self, op: &str) -> Outcome<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.error(&format!("'{op}'")))
        }
    }

    fn expr(&mut self) -> Outcome<Expr> {
        let mut left = self.and()?;
        while self.eat_keyword(Keyword::Or) {
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Outcome<Expr> {
        let mut left = self.not()?;
        while self.eat_keyword(Keyword::And) {
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Outcome<Expr> {
        if self.eat_keyword(Keyword::Not) {
            Ok(Expr::Not(Box::new(self.not()?)))
        } else {
            self.predicate()
        }
    }

    fn predicate(&mut self) -> Outcome<Expr> {
        let left = self.sum()?;
        let cmp = match self.peek_kind() {
            Some(Kind::Op("=")) | Some(Kind::Op("==")) => Some(Cmp::Eq),
            Some(Kind::Op("<>")) | Some(Kind::Op("!=")) => Some(Cmp::Ne),
            Some(Kind::Op("<")) => Some(Cmp::Lt),
            Some(Kind::Op("<=")) => Some(Cmp::Le),
            Some(Kind::Op(">")) => Some(Cmp::Gt),
            Some(Kind::Op(">=")) => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(cmp) = cmp {
            self.pos += 1;
            let right = self.sum()?;
            return Ok(Expr::Compare(cmp, Box::new(left), Box::new(right)));
        }
        if self.eat_keyword(Keyword::Is) {
            let negated = self.eat_keyword(Keyword::Not);
            if !self.eat_keyword(Keyword::Null) {
                return Err(self.error("NULL after IS"));
            }
            return Ok(Expr::IsNull {
                expr: Box::new(left),
                negated,
            });
        }
        let negated = self.eat_keyword(Keyword::Not);
        if self.eat_keyword(Keyword::In) {
            self.expect_op("(")?;
            let mut list = vec![self.sum()?];
            while self.eat_op(",") {
                list.push(self.sum()?);
            }
            self.expect_op(")")?;
            return Ok(Expr::In {
                expr: Box::new(left),
                list,
                negated,
            });
        }
        if self.eat_keyword(Keyword::Between) {
            let low = self.sum()?;
            if !self.eat_keyword(Keyword::And) {
                return Err(self.error("AND in BETWEEN … AND …"));
            }
            let high = self.sum()?;
            return Ok(Expr::Between {
                expr: Box::new(left),
                low: Box::new(low),
                high: Box::new(high),
                negated,
            });
        }
        let like = if self.eat_keyword(Keyword::Like) {
            Some(false)
        } else if self.eat_keyword(Keyword::ILike) {
            Some(true)
        } else {
            None
        };
        if let Some(fold_case) = like {
            let pattern = self.sum()?;
            return Ok(Expr::Like {
                expr: Box::new(left),
                pattern: Box::new(pattern),
                negated,
                fold_case,
            });
        }
        if negated {
            return Err(self.error("IN, BETWEEN or LIKE after NOT"));
        }
        Ok(left)
    }

    fn sum(&mut self) -> Outcome<Expr> {
        self.arithmetic([("+", Arith::Add), ("-", Arith::Sub)], Self::product)
    }

    fn product(&mut self) -> Outcome<Expr> {
        self.arithmetic([("*", Arith::Mul), ("/", Arith::Div)], Self::unary)
    }

    /// One left-associative level of arithmetic: `operand (op operand)*`.
    fn arithmetic(
        &mut self,
        ops: [(&str, Arith); 2],
        operand: fn(&mut Self) -> Outcome<Expr>,
    ) -> Outcome<Expr> {
        let mut left = operand(self)?;
        while let Some(op) = ops
            .iter()
            .find_map(|(text, op)| self.eat_op(text).then_some(*op))
        {
            let right = operand(self)?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Outcome<Expr> {
        if self.eat_op("-") {
            return Ok(match self.unary()? {
                Expr::Number(n) => Expr::Number(-n),
                other => Expr::Neg(Box::new(other)),
            });
        }
        if self.eat_op("+") {
            return self.unary();
        }
        self.atom()
    }

    fn atom(&mut self) -> Outcome<Expr> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error("a value or a column"));
        };
        self.pos += 1;
        match token.kind {
            Kind::Number(n) => Ok(Expr::Number(n)),
            Kind::Text(s) => Ok(Expr::Text(s)),
            Kind::Quoted(s) => Ok(Expr::Column(s)),
            Kind::Keyword(Keyword::True) => Ok(Expr::Bool(true)),
            Kind::Keyword(Keyword::False) => Ok(Expr::Bool(false)),
            Kind::Keyword(Keyword::Null) => Ok(Expr::Null),
            Kind::Op("(") => {
                let inner = self.expr()?;
                self.expect_op(")")?;
                Ok(inner)
            }
            Kind::Ident(name) if self.eat_op("(") => {
                let func = match name.to_ascii_uppercase().as_str() {
                    "LOWER" => Func::Lower,
                    "UPPER" => Func::Upper,
                    "TRIM" => Func::Trim,
                    "LENGTH" => Func::Length,
                    "ABS" => Func::Abs,
                    "COALESCE" => Func::Coalesce,
                    _ => {
                        return Err(ConditionError::Parse {
                            message: format!(
                                "unknown function {name}(); use LOWER, UPPER, TRIM, LENGTH, ABS or COALESCE"
                            ),
                            at: token.at,
                        })
                    }
                };
                let mut args = vec![self.expr()?];
                while self.eat_op(",") {
                    args.push(self.expr()?);
                }
                self.expect_op(")")?;
                let arity_ok = match func {
                    Func::Coalesce => !args.is_empty(),
                    _ => args.len() == 1,
                };
                if !arity_ok {
                    return Err(ConditionError::Parse {
                        message: format!("{name}() takes one argument, not {}", args.len()),
                        at: token.at,
                    });
                }
                Ok(Expr::Call(func, args))
            }
            Kind::Ident(name) => Ok(Expr::Column(name)),
            _ => {
                self.pos -= 1;
                Err(self.error("a value or a column"))
            }
        }
    }
}

// ---------------------------------------------------------------- data

/// A column as the condition reads it, converted once.
enum Owned {
    Number(Vec<Option<f64>>),
    Text(StringChunked),
    Bool(Vec<Option<bool>>),
}

/// A row-indexed view of an [`Owned`] column.
enum Data<'a> {
    Number(&'a [Option<f64>]),
    Text(Vec<Option<&'a str>>),
    Bool(&'a [Option<bool>]),
}

impl Owned {
    /// `column` typed for comparison: booleans stay true/false, numbers become
    /// f64, text whose every value is a number (or a missing-value token) is
    /// read as numbers like `leadscore train` reads it, other text stays text,
    /// and anything else (dates, times) is compared as its ISO text.
    fn load(column: &Column) -> Outcome<Owned> {
        let data = |e: PolarsError| ConditionError::Data(e.to_string());
        let series = column.as_materialized_series();
        let dtype = column.dtype();
        if dtype == &DataType::Boolean {
            return Ok(Owned::Bool(series.bool().map_err(data)?.iter().collect()));
        }
        if dtype.is_primitive_numeric() {
            let cast = series.cast(&DataType::Float64).map_err(data)?;
            return Ok(Owned::Number(cast.f64().map_err(data)?.iter().collect()));
        }
        let text = if dtype == &DataType::String {
            series.str().map_err(data)?.clone()
        } else {
            series
                .cast(&DataType::String)
                .map_err(data)?
                .str()
                .map_err(data)?
                .clone()
        };
        if dtype == &DataType::String {
            let mut numbers = Vec::with_capacity(text.len());
            let mut any = false;
            for value in text.iter() {
                match value.map(parse_number) {
                    None | Some(NumberParse::Missing) => numbers.push(None),
                    Some(NumberParse::Value(v)) => {
                        any = true;
                        numbers.push(Some(v));
                    }
                    Some(NumberParse::NonFinite | NumberParse::NotANumber) => {
                        numbers.clear();
                        break;
                    }
                }
            }
            if any && numbers.len() == text.len() {
                return Ok(Owned::Number(numbers));
            }
        }
        Ok(Owned::Text(text))
    }

    fn view(&self) -> Data<'_> {
        match self {
            Owned::Number(v) => Data::Number(v),
            Owned::Text(ca) => Data::Text(ca.iter().collect()),
            Owned::Bool(v) => Data::Bool(v),
        }
    }
}

impl Data<'_> {
    fn ty(&self) -> Ty {
        match self {
            Data::Number(_) => Ty::Number,
            Data::Text(_) => Ty::Text,
            Data::Bool(_) => Ty::Bool,
        }
    }
}

fn referenced(expr: &Expr, out: &mut Vec<String>) {
    let mut visit = |e: &Expr| referenced(e, out);
    match expr {
        Expr::Column(name) => {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        Expr::Number(_) | Expr::Text(_) | Expr::Bool(_) | Expr::Null => {}
        Expr::Not(e) | Expr::Neg(e) | Expr::IsNull { expr: e, .. } => visit(e),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => {
            visit(a);
            visit(b);
        }
        Expr::In { expr, list, .. } => {
            visit(expr);
            list.iter().for_each(visit);
        }
        Expr::Between {
            expr, low, high, ..
        } => {
            visit(expr);
            visit(low);
            visit(high);
        }
        Expr::Like { expr, pattern, .. } => {
            visit(expr);
            visit(pattern);
        }
        Expr::Call(_, args) => args.iter().for_each(visit),
    }
}

/// The frame's column for `name`: exact, else the one column equal ignoring case.
fn find_column<'f>(frame: &'f DataFrame, name: &str) -> Outcome<&'f Column> {
    if let Ok(column) = frame.column(name) {
        return Ok(column);
    }
    let folded: Vec<&Column> = frame
        .columns()
        .iter()
        .filter(|c| c.name().eq_ignore_ascii_case(name))
        .collect();
    if let [only] = folded.as_slice() {
        return Ok(only);
    }
    let closest = frame
        .columns()
        .iter()
        .map(|c| (strsim::jaro_winkler(c.name(), name), c.name().to_string()))
        .filter(|(similarity, _)| *similarity > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(ConditionError::UnknownColumn {
        name: name.to_string(),
        hint: closest
            .map(|(_, n)| format!(" (did you mean '{n}'?)"))
            .unwrap_or_default(),
    })
}

// ---------------------------------------------------------------- types

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Number,
    Text,
    Bool,
    /// A bare NULL: fits anywhere.
    Null,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Number => "number",
            Ty::Text => "text",
            Ty::Bool => "true/false",
            Ty::Null => "NULL",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Const {
    Null,
    Number(f64),
    Text(String),
    Bool(bool),
}

/// A type-checked expression: columns by index, literals already coerced.
#[derive(Debug)]
struct Node {
    ty: Ty,
    op: Op,
}

#[derive(Debug)]
enum Op {
    Column(usize),
    Const(Const),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Compare(Cmp, Box<Node>, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    In(Box<Node>, Vec<Node>, bool),
    Between(Box<Node>, Box<Node>, Box<Node>, bool),
    IsNull(Box<Node>, bool),
    Like(Box<Node>, Box<Node>, bool, bool),
    Call(Func, Vec<Node>),
}

/// SQL-like text of an expression, for error messages.
fn show(expr: &Expr) -> String {
    match expr {
        Expr::Column(name) => name.clone(),
        Expr::Number(n) => n.to_string(),
        Expr::Text(s) => format!("'{}'", s.replace('\'', "''")),
        Expr::Bool(b) => b.to_string().to_uppercase(),
        Expr::Null => "NULL".into(),
        Expr::Call(func, args) => format!(
            "{}({})",
            format!("{func:?}").to_uppercase(),
            args.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Expr::Neg(e) => format!("-{}", show(e)),
        _ => "the expression".into(),
    }
}

fn describe(expr: &Expr, ty: Ty) -> String {
    match expr {
        Expr::Column(_) => format!("{} (a {} column)", show(expr), ty.name()),
        _ => format!("{} ({})", show(expr), ty.name()),
    }
}

/// A text literal read as the type it is compared with, when it reads as one.
fn coerce_text(text: &str, to: Ty) -> Option<Const> {
    match to {
        Ty::Number => match parse_number(text) {
            NumberParse::Value(v) => Some(Const::Number(v)),
            _ => None,
        },
        Ty::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "t" | "1" => Some(Const::Bool(true)),
            "no" | "n" | "false" | "f" | "0" => Some(Const::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

struct Binder<'d, 'a> {
    names: &'d [String],
    data: &'d [Data<'a>],
}

impl Binder<'_, '_> {
    fn bind(&self, expr: &Expr) -> Outcome<Node> {
        let node = |ty, op| Ok(Node { ty, op });
        let boxed = |e: &Expr| self.bind(e).map(Box::new);
        match expr {
            Expr::Column(name) => {
                let i = self
                    .names
                    .iter()
                    .position(|n| n == name)
                    .expect("every referenced column is loaded");
                node(self.data[i].ty(), Op::Column(i))
            }
            Expr::Number(n) => node(Ty::Number, Op::Const(Const::Number(*n))),
            Expr::Text(s) => node(Ty::Text, Op::Const(Const::Text(s.clone()))),
            Expr::Bool(b) => node(Ty::Bool, Op::Const(Const::Bool(*b))),
            Expr::Null => node(Ty::Null, Op::Const(Const::Null)),
            Expr::Not(e) => {
                let inner = self.logical(e, "NOT")?;
                node(Ty::Bool, Op::Not(Box::new(inner)))
            }
            Expr::And(a, b) => {
                let (a, b) = (self.logical(a, "AND")?, self.logical(b, "AND")?);
                node(Ty::Bool, Op::And(Box::new(a), Box::new(b)))
            }
            Expr::Or(a, b) => {
                let (a, b) = (self.logical(a, "OR")?, self.logical(b, "OR")?);
                node(Ty::Bool, Op::Or(Box::new(a), Box::new(b)))
            }
            Expr::Compare(cmp, a, b) => {
                let (left, right) = self.pair(a, b)?;
                if matches!(cmp, Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge) && left.ty == Ty::Bool {
                    return Err(ConditionError::Type(format!(
                        "{} is true/false: compare it with = or <>, not an order",
                        show(a)
                    )));
                }
                node(Ty::Bool, Op::Compare(*cmp, Box::new(left), Box::new(right)))
            }
            Expr::Arith(op, a, b) => {
                let (a, b) = (self.number(a, "arithmetic")?, self.number(b, "arithmetic")?);
                node(Ty::Number, Op::Arith(*op, Box::new(a), Box::new(b)))
            }
            Expr::Neg(e) => node(Ty::Number, Op::Neg(Box::new(self.number(e, "minus")?))),
            Expr::In {
                expr: e,
                list,
                negated,
            } => {
                let mut target = self.bind(e)?;
                let mut items = Vec::with_capacity(list.len());
                for item in list {
                    let (t, i) = self.unify(e, target, item, self.bind(item)?)?;
                    target = t;
                    items.push(i);
                }
                node(Ty::Bool, Op::In(Box::new(target), items, *negated))
            }
            Expr::Between {
                expr: e,
                low,
                high,
                negated,
            } => {
                let target = self.bind(e)?;
                let (target, low_node) = self.unify(e, target, low, self.bind(low)?)?;
                let (target, high_node) = self.unify(e, target, high, self.bind(high)?)?;
                if target.ty == Ty::Bool {
                    return Err(ConditionError::Type(format!(
                        "{} is true/false: BETWEEN needs numbers or text",
                        show(e)
                    )));
                }
                node(
                    Ty::Bool,
                    Op::Between(
                        Box::new(target),
                        Box::new(low_node),
                        Box::new(high_node),
                        *negated,
                    ),
                )
            }
            Expr::IsNull { expr: e, negated } => node(Ty::Bool, Op::IsNull(boxed(e)?, *negated)),
            Expr::Like {
                expr: e,
                pattern,
                negated,
                fold_case,
            } => {
                let (e, p) = (self.text(e, "LIKE")?, self.text(pattern, "LIKE")?);
                node(
                    Ty::Bool,
                    Op::Like(Box::new(e), Box::new(p), *negated, *fold_case),
                )
            }
            Expr::Call(func, args) => match func {
                Func::Lower | Func::Upper | Func::Trim => {
                    let arg = self.text(&args[0], &format!("{func:?}").to_uppercase())?;
                    node(Ty::Text, Op::Call(*func, vec![arg]))
                }
                Func::Length => {
                    let arg = self.text(&args[0], "LENGTH")?;
                    node(Ty::Number, Op::Call(*func, vec![arg]))
                }
                Func::Abs => {
                    let arg = self.number(&args[0], "ABS")?;
                    node(Ty::Number, Op::Call(*func, vec![arg]))
                }
                Func::Coalesce => {
                    let mut nodes: Vec<Node> = Vec::with_capacity(args.len());
                    let mut ty = Ty::Null;
                    for arg in args {
                        let bound = self.bind(arg)?;
                        if ty != Ty::Null && bound.ty != Ty::Null && bound.ty != ty {
                            return Err(ConditionError::Type(format!(
                                "COALESCE mixes {} with {}",
                                ty.name(),
                                describe(arg, bound.ty)
                            )));
                        }
                        if bound.ty != Ty::Null {
                            ty = bound.ty;
                        }
                        nodes.push(bound);
                    }
                    node(ty, Op::Call(*func, nodes))
                }
            },
        }
    }

    fn expect(&self, expr: &Expr, want: Ty, what: &str) -> Outcome<Node> {
        let bound = self.bind(expr)?;
        if bound.ty == want || bound.ty == Ty::Null {
            return Ok(bound);
        }
        if let (Op::Const(Const::Text(s)), Ty::Number) = (&bound.op, want) {
            if let Some(c) = coerce_text(s, want) {
                return Ok(Node {
                    ty: want,
                    op: Op::Const(c),
                });
            }
        }
        Err(ConditionError::Type(format!(
            "{what} needs {} values, but {} is not",
            want.name(),
            describe(expr, bound.ty)
        )))
    }

    fn logical(&self, expr: &Expr, what: &str) -> Outcome<Node> {
        self.expect(expr, Ty::Bool, what)
    }

    fn number(&self, expr: &Expr, what: &str) -> Outcome<Node> {
        self.expect(expr, Ty::Number, what)
    }

    fn text(&self, expr: &Expr, what: &str) -> Outcome<Node> {
        self.expect(expr, Ty::Text, what)
    }

    fn pair(&self, a: &Expr, b: &Expr) -> Outcome<(Node, Node)> {
        let left = self.bind(a)?;
        let right = self.bind(b)?;
        self.unify(a, left, b, right)
    }

    /// Make two sides of a comparison one type: equal types (or NULL) pass, a
    /// quoted value beside a number or true/false column is read as one, and
    /// anything else is an error naming both sides.
    fn unify(&self, a: &Expr, left: Node, b: &Expr, right: Node) -> Outcome<(Node, Node)> {
        if left.ty == right.ty || left.ty == Ty::Null || right.ty == Ty::Null {
            return Ok((left, right));
        }
        let coerce = |node: &Node, to: Ty| match &node.op {
            Op::Const(Const::Text(s)) => coerce_text(s, to),
            _ => None,
        };
        if let Some(c) = coerce(&right, left.ty) {
            return Ok((
                left,
                Node {
                    ty: const_ty(&c),
                    op: Op::Const(c),
                },
            ));
        }
        if let Some(c) = coerce(&left, right.ty) {
            return Ok((
                Node {
                    ty: const_ty(&c),
                    op: Op::Const(c),
                },
                right,
            ));
        }
        let advice = match (left.ty, right.ty) {
            (Ty::Text, Ty::Number) | (Ty::Number, Ty::Text) => {
                "; quote text values ('3'), and write numbers without quotes"
            }
            _ => "",
        };
        Err(ConditionError::Type(format!(
            "cannot compare {} with {}{advice}",
            describe(a, left.ty),
            describe(b, right.ty)
        )))
    }
}

fn const_ty(c: &Const) -> Ty {
    match c {
        Const::Null => Ty::Null,
        Const::Number(_) => Ty::Number,
        Const::Text(_) => Ty::Text,
        Const::Bool(_) => Ty::Bool,
    }
}

// ---------------------------------------------------------------- evaluation

#[derive(Debug, Clone, PartialEq)]
enum Value<'a> {
    Null,
    Number(f64),
    Text(Cow<'a, str>),
    Bool(bool),
}

impl Value<'_> {
    fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

fn from_truth<'a>(t: Option<bool>) -> Value<'a> {
    t.map_or(Value::Null, Value::Bool)
}

/// SQL comparison of two values of one type; None when either is NULL.
fn order(a: &Value<'_>, b: &Value<'_>) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Text(x), Value::Text(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// SQL LIKE: `%` any run of characters, `_` exactly one.
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || (p[pi] != '%' && p[pi] == t[ti])) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

impl Node {
    fn eval<'a>(&'a self, row: usize, data: &[Data<'a>]) -> Value<'a> {
        match &self.op {
            Op::Column(i) => match &data[*i] {
                Data::Number(v) => v[row].map_or(Value::Null, Value::Number),
                Data::Text(v) => v[row].map_or(Value::Null, |s| Value::Text(Cow::Borrowed(s))),
                Data::Bool(v) => v[row].map_or(Value::Null, Value::Bool),
            },
            Op::Const(c) => match c {
                Const::Null => Value::Null,
                Const::Number(n) => Value::Number(*n),
                Const::Text(s) => Value::Text(Cow::Borrowed(s)),
                Const::Bool(b) => Value::Bool(*b),
            },
            Op::Not(e) => from_truth(e.eval(row, data).truth().map(|b| !b)),
            Op::And(a, b) => match (a.eval(row, data).truth(), b.eval(row, data).truth()) {
                (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            },
            Op::Or(a, b) => match (a.eval(row, data).truth(), b.eval(row, data).truth()) {
                (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            },
            Op::Compare(cmp, a, b) => {
                let (x, y) = (a.eval(row, data), b.eval(row, data));
                if matches!((&x, &y), (Value::Number(p), Value::Number(q)) if p.is_nan() || q.is_nan())
                {
                    return Value::Bool(*cmp == Cmp::Ne);
                }
                from_truth(order(&x, &y).map(|o| match cmp {
                    Cmp::Eq => o.is_eq(),
                    Cmp::Ne => o.is_ne(),
                    Cmp::Lt => o.is_lt(),
                    Cmp::Le => o.is_le(),
                    Cmp::Gt => o.is_gt(),
                    Cmp::Ge => o.is_ge(),
                }))
            }
            Op::Arith(op, a, b) => match (a.eval(row, data), b.eval(row, data)) {
                (Value::Number(x), Value::Number(y)) => match op {
                    Arith::Add => Value::Number(x + y),
                    Arith::Sub => Value::Number(x - y),
                    Arith::Mul => Value::Number(x * y),
                    Arith::Div if y == 0.0 => Value::Null,
                    Arith::Div => Value::Number(x / y),
                },
                _ => Value::Null,
            },
            Op::Neg(e) => match e.eval(row, data) {
                Value::Number(x) => Value::Number(-x),
                _ => Value::Null,
            },
            Op::In(e, list, negated) => {
                let x = e.eval(row, data);
                if x == Value::Null {
                    return Value::Null;
                }
                let mut saw_null = false;
                for item in list {
                    match order(&x, &item.eval(row, data)) {
                        Some(o) if o.is_eq() => return Value::Bool(!negated),
                        Some(_) => {}
                        None => saw_null = true,
                    }
                }
                if saw_null {
                    Value::Null
                } else {
                    Value::Bool(*negated)
                }
            }
            Op::Between(e, low, high, negated) => {
                let x = e.eval(row, data);
                let above = order(&x, &low.eval(row, data)).map(|o| o.is_ge());
                let below = order(&x, &high.eval(row, data)).map(|o| o.is_le());
                let inside = match (above, below) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                };
                from_truth(inside.map(|b| b != *negated))
            }
            Op::IsNull(e, negated) => Value::Bool((e.eval(row, data) == Value::Null) != *negated),
            Op::Like(e, p, negated, fold_case) => match (e.eval(row, data), p.eval(row, data)) {
                (Value::Text(t), Value::Text(p)) => {
                    let hit = if *fold_case {
                        like(&t.to_lowercase(), &p.to_lowercase())
                    } else {
                        like(&t, &p)
                    };
                    Value::Bool(hit != *negated)
                }
                _ => Value::Null,
            },
            Op::Call(func, args) => {
                let first = args[0].eval(row, data);
                match (func, first) {
                    (Func::Coalesce, first) => {
                        if first != Value::Null {
                            return first;
                        }
                        args[1..]
                            .iter()
                            .map(|a| a.eval(row, data))
                            .find(|v| *v != Value::Null)
                            .unwrap_or(Value::Null)
                    }
                    (_, Value::Null) => Value::Null,
                    (Func::Lower, Value::Text(t)) => Value::Text(Cow::Owned(t.to_lowercase())),
                    (Func::Upper, Value::Text(t)) => Value::Text(Cow::Owned(t.to_uppercase())),
                    (Func::Trim, Value::Text(t)) => Value::Text(Cow::Owned(t.trim().to_string())),
                    (Func::Length, Value::Text(t)) => Value::Number(t.chars().count() as f64),
                    (Func::Abs, Value::Number(x)) => Value::Number(x.abs()),
                    _ => Value::Null,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leads() -> DataFrame {
        df!(
            "visits" => [Some("3"), Some("1,200"), None, Some("0"), Some("n/a")],
            "job_level" => [Some("vp"), Some("student"), Some("Director"), None, Some("it's me")],
            "verified" => [Some(true), Some(false), None, Some(true), Some(false)],
            "score" => [Some(1.5f64), Some(-2.0), Some(f64::NAN), None, Some(0.0)],
        )
        .expect("frame")
    }

    fn hits(condition: &str) -> Vec<bool> {
        Condition::parse(condition)
            .and_then(|c| c.matches(&leads()))
            .unwrap_or_else(|e| panic!("{condition}: {e}"))
    }

    fn error(condition: &str) -> String {
        match Condition::parse(condition).and_then(|c| c.matches(&leads())) {
            Ok(h) => panic!("{condition} should fail, matched {h:?}"),
            Err(e) => e.to_string(),
        }
    }

    const T: bool = true;
    const F: bool = false;

    #[test]
    fn comparisons_read_numeric_text_as_numbers() {
        assert_eq!(hits("visits >= 3"), [T, T, F, F, F]);
        assert_eq!(hits("visits = 1200"), [F, T, F, F, F]);
        assert_eq!(hits("visits <> 3"), [F, T, F, T, F]);
        assert_eq!(hits("visits != 3"), hits("NOT visits = 3"));
        assert_eq!(hits("visits >= '3'"), [T, T, F, F, F], "quoted number");
        assert_eq!(hits("visits BETWEEN 1 AND 3"), [T, F, F, F, F]);
        assert_eq!(hits("visits NOT BETWEEN 1 AND 3"), [F, T, F, T, F]);
        assert_eq!(hits("visits * 2 - 1 > 4.5 / 1"), [T, T, F, F, F]);
        assert_eq!(hits("-visits < -2"), [T, T, F, F, F]);
        assert_eq!(hits("visits / 0 IS NULL"), [T, T, T, T, T]);
        assert_eq!(hits("ABS(score) >= 1.5"), [T, T, F, F, F]);
    }

    #[test]
    fn missing_values_never_match_but_is_null_finds_them() {
        assert_eq!(hits("visits IS NULL"), [F, F, T, F, T], "n/a is missing");
        assert_eq!(hits("visits IS NOT NULL"), [T, T, F, T, F]);
        assert_eq!(hits("NOT visits > 100"), [T, F, F, T, F]);
        assert_eq!(hits("visits > 100 OR job_level = 'vp'"), [T, T, F, F, F]);
        assert_eq!(hits("COALESCE(visits, 0) = 0"), [F, F, T, T, T]);
        assert_eq!(hits("NULL = NULL"), [F; 5]);
        // NaN is a value, equal to nothing (IEEE), not missing.
        assert_eq!(hits("score <> 0"), [T, T, T, F, F]);
        assert_eq!(hits("score IS NULL"), [F, F, F, T, F]);
    }

    #[test]
    fn text_in_like_and_functions() {
        assert_eq!(hits("job_level IN ('vp', 'student')"), [T, T, F, F, F]);
        assert_eq!(hits("job_level NOT IN ('vp', 'student')"), [F, F, T, F, T]);
        assert_eq!(
            hits("job_level NOT IN ('vp', NULL)"),
            [F; 5],
            "SQL NOT IN with a NULL"
        );
        assert_eq!(
            hits("job_level = 'director'"),
            [F; 5],
            "case-sensitive like SQL"
        );
        assert_eq!(hits("LOWER(job_level) = 'director'"), [F, F, T, F, F]);
        assert_eq!(hits("job_level ILIKE 'dir%'"), [F, F, T, F, F]);
        assert_eq!(hits("job_level LIKE '_t%'"), [F, T, F, F, T]);
        assert_eq!(hits("job_level LIKE '%e%t'"), [F, T, F, F, F]);
        assert_eq!(hits("job_level NOT LIKE '%'"), [F; 5]);
        assert_eq!(hits("job_level = 'it''s me'"), [F, F, F, F, T]);
        assert_eq!(hits("LENGTH(TRIM(job_level)) = 2"), [T, F, F, F, F]);
        assert_eq!(hits("UPPER(job_level) >= 'S'"), [T, T, F, F, F]);
    }

    #[test]
    fn booleans_names_and_keywords() {
        assert_eq!(hits("verified"), [T, F, F, T, F]);
        assert_eq!(hits("verified = 'yes'"), [T, F, F, T, F]);
        assert_eq!(
            hits("verified = FALSE and NOT (visits > 1)"),
            [F, F, F, F, F]
        );
        assert_eq!(hits("verified = false OR visits = 0"), [F, T, F, T, T]);
        assert_eq!(hits("\"job_level\" = 'vp'"), [T, F, F, F, F]);
        assert_eq!(
            hits("JOB_LEVEL = 'vp'"),
            [T, F, F, F, F],
            "unquoted names fold case"
        );
        assert_eq!(hits("(visits > 0) = TRUE"), [T, T, F, F, F]);
        assert_eq!(hits("visits > 1e2"), [F, T, F, F, F]);
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            Condition::parse("visits = = 3").expect_err("two = in a row"),
            ConditionError::Parse {
                message: "expected a value or a column, found '='".into(),
                at: 10
            }
        );
        assert!(error("visits >").contains("found the end of the condition"));
        assert!(error("job_level = 'vp").contains("unterminated quoted text"));
        assert!(error("visits IN 3").contains("expected '('"));
        assert!(error("visits ~ 3").contains("unexpected character '~'"));
        assert!(error("visits 3").contains("unexpected number 3"));
        assert!(error("NOT visits")
            .contains("NOT needs true/false values, but visits (a number column)"));
        assert!(error("visits AND verified").contains("AND needs true/false"));
        assert!(error("visits + 1").contains("gives number values, not true/false"));
        let text_vs_number = error("job_level = 3");
        assert!(
            text_vs_number.contains("cannot compare job_level (a text column) with 3 (number)")
                && text_vs_number.contains("quote text values"),
            "{text_vs_number}"
        );
        assert!(error("visits = 'many'")
            .contains("cannot compare visits (a number column) with 'many'"));
        assert!(error("verified > TRUE").contains("compare it with = or <>"));
        assert!(error("visits LIKE '1%'").contains("LIKE needs text values"));
        assert!(error("SQRT(visits) > 1").contains("unknown function SQRT()"));
        assert_eq!(
            error("visit >= 1"),
            "no column 'visit' in the data (did you mean 'visits'?)"
        );
        assert_eq!(error("zzz >= 1"), "no column 'zzz' in the data");
    }

    #[test]
    fn like_handles_backtracking() {
        assert!(like("abcabd", "%abd"));
        assert!(like("", "%"));
        assert!(!like("", "_"));
        assert!(like("aXbXc", "a%b%c"));
        assert!(!like("abc", "a%d"));
        assert!(like("été", "_t_"), "characters, not bytes");
    }
}
