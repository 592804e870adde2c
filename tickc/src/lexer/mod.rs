//! Lexer: TICKscript source text to tokens with byte spans (logos).
