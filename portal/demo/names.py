"""Brazilian names for demo data and benchmarks (accents and apostrophes on purpose)."""

# fmt: off
FIRST_NAMES = [
    "Maria", "José", "Ana", "João", "Antônio", "Francisca", "Conceição", "Raimunda", "Sebastião",
    "Luíza", "Márcia", "Aparecida", "Benedito", "Cícero", "Damião", "Edinalva", "Fátima", "Geraldo",
    "Helena", "Iracema", "Joaquim", "Lúcia", "Manoel", "Nazaré", "Otávio", "Patrícia", "Quitéria",
    "Rosângela", "Severino", "Terezinha", "Valdirene", "Zuleica", "Élida", "Ângela", "Íris", "Jéssica",
    "Cláudio", "Sérgio", "Vânia", "Inês", "Luís", "Mônica", "Reinaldo", "Tânia", "Wellington",
    "Adriana", "Bruna", "Caio", "Débora", "Eduardo",
]
SURNAMES = [
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Ribeiro", "Carvalho", "Araújo", "Conceição", "Gonçalves", "Magalhães", "Brandão",
    "D'Ávila", "D'Almeida", "Assunção", "Nóbrega", "Falcão", "Guimarães", "Simões", "Camargo",
    "Loureiro", "Bezerra", "Cavalcanti", "Albuquerque", "Xavier", "Monteiro", "Queiroz", "Tavares",
    "Peçanha", "Brito", "Damasceno", "Sá", "Leão", "Andrade", "Vasconcelos",
]
CITIES = [
    ("São Paulo", "SP", "01310100"), ("Recife", "PE", "50010000"),
    ("Belo Horizonte", "MG", "30130000"), ("Salvador", "BA", "40020000"),
    ("Fortaleza", "CE", "60025000"), ("Porto Alegre", "RS", "90010000"), ("Goiânia", "GO", "74003010"),
    ("Belém", "PA", "66010000"), ("Curitiba", "PR", "80010000"), ("São Luís", "MA", "65010000"),
]
MOBILE_DDDS = [
    "11", "21", "31", "41", "51", "61", "71", "81", "85", "91", "98", "62",
]
STREETS = [
    "Rua das Flores", "Av. Brasil", "Rua São João", "Travessa da Paz", "Rua Sete de Setembro",
]
# fmt: on
