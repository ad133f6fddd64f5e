#include "train/examples.h"

namespace wg {

Example example_from_doc(const Tokenizer& tok, const Doc& doc) {
    Example e;
    e.tokens.push_back(Tokenizer::DOC);
    if (doc.is_chat) {
        EncodedChat ec = encode_chat(tok, doc.chat);
        e.tokens.insert(e.tokens.end(), ec.tokens.begin(), ec.tokens.end());
    } else {
        std::vector<int> t = tok.encode(doc.text);
        e.tokens.insert(e.tokens.end(), t.begin(), t.end());
        e.tokens.push_back(Tokenizer::END);
    }
    e.mask.assign(e.tokens.size(), 1);
    e.mask[0] = 0;
    return e;
}

Example example_from_chat(const Tokenizer& tok, const Chat& chat, const std::vector<int>& soft) {
    EncodedChat ec = encode_chat(tok, chat);
    Example e;
    e.tokens.push_back(Tokenizer::DOC);
    e.tokens.insert(e.tokens.end(), soft.begin(), soft.end());
    e.tokens.insert(e.tokens.end(), ec.tokens.begin(), ec.tokens.end());
    e.mask.assign(1 + soft.size(), 0);
    e.mask.insert(e.mask.end(), ec.loss_mask.begin(), ec.loss_mask.end());
    return e;
}

std::vector<int> prompt_tokens(const Tokenizer& tok, const Chat& chat, const std::vector<int>& soft) {
    std::vector<int> p{Tokenizer::DOC};
    p.insert(p.end(), soft.begin(), soft.end());
    std::vector<int> rest = encode_prompt(tok, chat);
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
}

std::vector<std::string_view> tokenizer_texts(const std::vector<Doc>& docs) {
    std::vector<std::string_view> out;
    for (const Doc& d : docs) {
        if (!d.is_chat) out.push_back(d.text);
        else
            for (const Message& m : d.chat.messages) out.push_back(m.content);
    }
    return out;
}

}  // namespace wg
