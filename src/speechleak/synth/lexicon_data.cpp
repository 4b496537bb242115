// The sentence grammar's vocabulary. Words that are also names in names_data.cpp are avoided (a test checks), so
// that a name in a transcript is always a mention of a person.
#include "speechleak/synth/lexicon.h"

namespace speechleak::synth {

const Lexicon& lexicon() {
  static const Lexicon lex = {
      .subject_pronouns = {"I", "HE", "SHE", "WE", "THEY", "YOU"},
      .object_pronouns = {"ME", "HIM", "HER", "US", "THEM", "YOU"},
      .person_determiners = {"THE", "MY", "HIS", "HER", "OUR", "THEIR", "YOUR"},
      .thing_determiners = {"THE", "THE", "THIS", "THAT", "MY", "HIS", "HER", "OUR", "THEIR", "YOUR"},
      .person_nouns =
          {"FARMER",   "TEACHER", "NEIGHBOUR", "SISTER",  "BROTHER",  "MOTHER",     "FATHER",    "UNCLE",
           "AUNT",     "COUSIN",  "FRIEND",    "DRIVER",  "SAILOR",   "GARDENER",   "SHEPHERD",  "NURSE",
           "LAWYER",   "PAINTER", "STUDENT",   "SOLDIER", "STRANGER", "GRANDMOTHER", "GRANDFATHER", "CHILDREN",
           "WAITER",   "CLERK",   "MERCHANT",  "VISITOR", "PRIEST",   "MAYOR",      "POSTMAN",   "GUARD",
           "DAUGHTER", "NEPHEW",  "NIECE",     "PILOT",   "ENGINEER", "DENTIST",    "LIBRARIAN", "FISHERMAN"},
      .titles = {"MISTER", "DOCTOR", "PROFESSOR", "CAPTAIN", "MISS", "MISSUS", "DETECTIVE", "SERGEANT"},
      .adjectives = {"OLD",    "NEW",    "SMALL",  "LARGE",  "HEAVY",  "EMPTY",   "WOODEN", "SILVER",
                     "BLUE",   "RED",    "YELLOW", "QUIET",  "BUSY",   "STRANGE", "FAMOUS", "NARROW",
                     "BROKEN", "CLEAN",  "DUSTY",  "FRESH",  "GOLDEN", "HIDDEN",  "LONELY", "PRETTY",
                     "SECRET", "SHARP",  "SILENT", "SIMPLE", "SOFT",   "STEEP",   "TIRED",  "WARM",
                     "CROWDED", "DISTANT", "ANCIENT", "GENTLE", "PLEASANT", "CURIOUS", "CAREFUL", "CHEERFUL"},
      .thing_nouns = {"KEY",     "LETTER",   "BOOK",    "BASKET",   "LAMP",     "MAP",      "PARCEL",   "UMBRELLA",
                      "BOTTLE",  "CANDLE",   "CLOCK",   "COAT",     "HAT",      "JACKET",   "KNIFE",    "LADDER",
                      "MIRROR",  "NEWSPAPER", "PENCIL", "PICTURE",  "PLATE",    "RADIO",    "RIBBON",   "SUITCASE",
                      "TICKET",  "TOWEL",    "WALLET",  "WATCH",    "BLANKET",  "BICYCLE",  "CAMERA",   "CARPET",
                      "CHAIR",   "CUP",      "DIARY",   "DRAWER",   "ENVELOPE", "FEATHER",  "GLOVE",    "HAMMER",
                      "KETTLE",  "NOTEBOOK", "PAINTING", "PILLOW",  "POCKET",   "PUZZLE",   "SADDLE",   "SHOVEL",
                      "SPOON",   "TEAPOT",   "TRUMPET", "VIOLIN",   "BUCKET",   "BRACELET", "NECKLACE", "LANTERN"},
      .place_nouns = {"RIVER",   "GARDEN",   "STATION",  "MARKET",   "CHURCH",   "BRIDGE",   "HARBOUR",  "LIBRARY",
                      "KITCHEN", "CASTLE",   "COTTAGE",  "FOREST",   "MEADOW",   "VILLAGE",  "ORCHARD",  "CHAPEL",
                      "HOSPITAL", "MUSEUM",  "THEATRE",  "FACTORY",  "CORNER",   "FOUNTAIN", "HALLWAY",  "ISLAND",
                      "MOUNTAIN", "OFFICE",  "PARLOUR",  "SCHOOL",   "STABLE",   "TOWER",    "VALLEY",   "WINDOW",
                      "BAKERY",  "CELLAR",   "CORRIDOR", "FARMHOUSE", "GATE",    "LAKE",     "PIER",     "STAIRCASE"},
      .place_prepositions = {"NEAR", "IN", "AT", "BEHIND", "BESIDE", "ACROSS", "INSIDE", "TOWARDS", "BELOW",
                             "ABOVE", "AROUND", "OUTSIDE"},
      .person_prepositions = {"WITH", "FOR", "BESIDE", "BEHIND", "WITHOUT"},
      .time_phrases = {"YESTERDAY", "THIS MORNING", "THAT EVENING", "AT NIGHT", "AFTER DINNER",
                       "BEFORE BREAKFAST", "ON MONDAY", "ON TUESDAY", "ON WEDNESDAY", "ON THURSDAY", "ON FRIDAY",
                       "ON SATURDAY", "ON SUNDAY", "LAST WEEK", "LAST NIGHT", "AFTER LUNCH", "BEFORE SUNRISE",
                       "AT NOON", "EVERY AFTERNOON", "THE OTHER DAY", "EARLIER TODAY", "LAST WINTER",
                       "LAST SUMMER", "LAST AUTUMN"},
      .adverbs = {"AGAIN", "QUIETLY", "SLOWLY", "CAREFULLY", "TOGETHER", "TODAY", "TWICE", "EARLY",
                  "QUICKLY", "GLADLY", "SUDDENLY", "PATIENTLY", "HAPPILY", "NERVOUSLY", "POLITELY", "ANXIOUSLY"},
      .thing_verbs = {"FOUND",   "CARRIED", "PAINTED", "OPENED",   "CLOSED",   "CLEANED",  "MOVED",    "BOUGHT",
                      "SOLD",    "BROKE",   "FIXED",   "DROPPED",  "HID",      "LOST",     "WASHED",   "WRAPPED",
                      "LIFTED",  "PACKED",  "BORROWED", "KEPT",    "NOTICED",  "POLISHED", "REPAIRED", "COLLECTED",
                      "DELIVERED", "FORGOT", "PICKED UP", "PUT AWAY", "LOOKED FOR", "WORRIED ABOUT"},
      .person_verbs = {"MET",      "CALLED",  "HELPED",  "VISITED",  "THANKED",  "FOLLOWED", "WATCHED", "ASKED",
                       "TOLD",     "INVITED", "WARNED",  "PHONED",   "GREETED",  "MISSED",   "ADMIRED", "TRUSTED",
                       "REMEMBERED", "RECOGNISED", "INTRODUCED", "EXPECTED", "CONGRATULATED", "WAITED FOR",
                       "LOOKED AT", "LISTENED TO", "TALKED TO", "WROTE TO"},
      .intransitive_verbs = {"WAITED",   "LAUGHED", "SMILED",  "SLEPT",    "RESTED",   "WORKED",  "SANG",
                             "DANCED",   "ARRIVED", "STAYED",  "WALKED",   "RAN",      "SAT",     "STOOD",
                             "LISTENED", "WHISPERED", "SHOUTED", "SIGHED", "WANDERED", "HURRIED", "PAUSED",
                             "RETURNED", "COMPLAINED", "AGREED", "HESITATED", "STUMBLED"},
      .giving_verbs = {"GAVE", "SENT", "SHOWED", "BROUGHT", "HANDED", "LENT", "OFFERED", "PASSED", "RETURNED",
                       "POSTED", "THREW", "SOLD"},
      .imperatives = {"BRING", "TAKE", "FIND", "CARRY", "OPEN", "CLOSE", "FETCH", "HOLD", "CHECK", "MEND",
                      "HIDE", "CLEAN", "WRAP", "PACK"},
      .reporting_verbs = {"SAID", "THOUGHT", "KNEW", "HEARD", "BELIEVED", "REMEMBERED", "EXPLAINED",
                          "ADMITTED", "SUSPECTED", "PROMISED"},
      .base_verbs = {"SEE", "FIND", "MEET", "CALL", "VISIT", "HELP", "HEAR", "THANK", "INVITE", "WARN"},
      .function_words = {"TO", "AND", "THEN", "WHEN", "THAT", "DID", "WHERE", "IS", "WAS", "HAD", "THIS",
                         "PLEASE", "WHILE", "BECAUSE", "ALREADY", "PUT", "THE", "WHO", "WHY"},
  };
  return lex;
}

}  // namespace speechleak::synth
